import AnalyticsCore
import AnalyticsStore
import ArgumentParser

/// `metrics-worker rejects`: the records `ingest` rejected, their reasons and where they came from.
struct RejectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejects",
        abstract: "List rejected input records (etl_rejects): source, location, record, reasons.",
        discussion: """
            Newest first. A record rejected again (the same file loaded twice) is listed once, with its \
            latest reasons. --format json adds each record as it was received.
            """)

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Option(name: .long, help: ArgumentHelp("Only rejects received on or after this day (UTC).", valueName: "YYYY-MM-DD"))
    var since: CalendarDate?
    @Option(name: .long, help: ArgumentHelp("Only rejects of this file (any spelling of its path), stdin (-), api:BATCH_ID (a POST /api/v1/ingest request), fineract (sync-fineract) or fineract-events (consume-fineract-events).", valueName: "path"))
    var source: String?
    @Option(name: .long, help: "At most this many (1...10000).")
    var limit = 50
    @Option(name: .long, help: "table or json.")
    var format: Format = .table

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be in 1...10000, got \(limit)") }
    }

    /// The stored source a `--source` names: an API batch (`api:<batch_id>`) as given, a path as
    /// `ingest` records it.
    static func sourceName(for text: String) -> String {
        // The Fineract pull and the consumer of its events record their own names, not paths.
        if text == FineractSync.source || text == FineractEventHandler.source { return text }
        return text.hasPrefix(IngestSourceName.apiPrefix) ? text : IngestSource.sourceName(for: text)
    }

    func run() async throws {
        let filter = RejectListing.Filter(since: since, source: source.map(Self.sourceName(for:)), limit: limit)
        let format = self.format
        try await WorkerRuntime.with(label: "metrics-worker.rejects") { runtime in
            do {
                let listing = try await RejectListing.load(filter, pool: runtime.pool)
                print(format == .json ? listing.json : listing.table)
            } catch {
                throw runtime.fail(error, doing: "rejects")
            }
        }
    }
}
