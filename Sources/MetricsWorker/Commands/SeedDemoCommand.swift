import AnalyticsCore
import AnalyticsStore
import ArgumentParser
import Foundation

/// `metrics-worker seed-demo`: a synthetic portfolio through the ingest path, for demos and benchmarks.
struct SeedDemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-demo",
        abstract: "Generate a realistic synthetic portfolio and load it through the ingest path.",
        discussion: "The same --seed gives the same data. Loading again changes nothing (ingest is idempotent).")

    @Option(name: .long, help: "Number of loan officers.")
    var officers = 200

    @Option(name: .long, help: "Number of loans (about 10 repayments each).")
    var loans = 20_000

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Records per transaction.")
    var chunkSize = Ingestor.seedChunkSize

    @Option(name: .long, help: ArgumentHelp("The portfolio's as-of date, no payment after it (default: today in ANALYTICS_TIMEZONE).",
                                            valueName: "YYYY-MM-DD"))
    var asOf: CalendarDate?

    func validate() throws {
        guard (1...1_000_000).contains(officers) else { throw ValidationError("--officers must be 1...1000000") }
        guard (0...100_000_000).contains(loans) else { throw ValidationError("--loans must be 0...100000000") }
        try IngestCommand.validate(chunkSize: chunkSize)
    }

    func run() async throws {
        try await WorkerRuntime.with(label: "metrics-worker.seed-demo") { runtime in
            let date: CalendarDate
            do {
                date = try AsOfOption.date(asOf, timeZone: runtime.configuration.timeZone)
            } catch let error as ValidationError {
                FileHandle.standardError.write(Data("metrics-worker: \(error.message)\n".utf8))
                throw ExitCode.usage
            }
            let portfolio = DemoPortfolio(officers: officers, loans: loans, seed: seed, asOf: date)
            do {
                let summary = try await Self.seed(portfolio, pool: runtime.pool, chunkSize: chunkSize, log: PhaseLog(job: "seed-demo"))
                print("seed-demo: \(officers) officers, \(loans) loans as of \(date) (seed \(seed))")
                print(summary.line)
                if summary.rejected > 0 { throw ExitCode.dataRejected }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw runtime.fail(error, doing: "seed-demo")
            }
        }
    }

    /// Generates and ingests the portfolio in chunks, through `IngestChunkDecoder` and `IngestWriter`.
    static func seed(_ portfolio: DemoPortfolio, pool: PostgresPool, chunkSize: Int = Ingestor.seedChunkSize, log: PhaseLog? = nil) async throws -> Ingestor.Summary {
        var portfolio = portfolio
        var summary = Ingestor.Summary()
        let clock = ContinuousClock()
        let start = clock.now
        let progress = Progress(label: "seed-demo", total: portfolio.loans)
        var pending = portfolio.masterData()
        var next = 0
        var line = 0
        try await Ingestor.pipeline(pool: pool, source: "seed-demo", summary: &summary,
                                         report: { _ in progress.update(next, unit: "loans") }) {
            while pending.count < chunkSize, next < portfolio.loans {
                pending += portfolio.loan(next)
                next += 1
            }
            guard !pending.isEmpty else { return nil }
            let entries = pending.map { value -> IngestEntry in
                line += 1
                return IngestEntry(location: "record \(line)", kind: nil, value: .success(value), raw: "")
            }
            pending.removeAll(keepingCapacity: true)
            return entries
        }
        progress.finish()
        let elapsed = clock.now - start
        let seconds = elapsed.seconds
        log?.log("loaded", ["records": summary.accepted + summary.rejected, "seconds": seconds,
                            "records_per_second": Int(Double(summary.accepted + summary.rejected) / max(seconds, 0.001))])
        return summary
    }
}
