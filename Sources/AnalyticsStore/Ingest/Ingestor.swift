import AnalyticsCore

/// Loads records through validation into the source tables (INGEST.md), chunk by chunk: the one
/// ingest path of the worker (files, standard input, `seed-demo`) and of `POST /api/v1/ingest`.
public struct Ingestor: Sendable {
    /// Records per transaction of `ingest` (`--chunk-size`) and of `POST /api/v1/ingest`: parsed
    /// records with their raw text, two chunks in memory at once (one written, one validated).
    public static let fileChunkSize = 5_000
    /// Records per transaction of `seed-demo` (`--chunk-size`): generated records are small and
    /// cheap, so larger chunks mean fewer statements and commits (56,558 records/s at a million
    /// loans against 50,401 with 20,000).
    public static let seedChunkSize = 50_000
    /// The bounds of `--chunk-size`.
    public static let chunkSizes = 1...100_000

    /// The pool the chunks are written through (two connections: one writes, one looks up).
    public let pool: PostgresPool
    /// Records per transaction.
    public var chunkSize: Int

    /// An ingestor writing through `pool`, `chunkSize` records per transaction.
    public init(pool: PostgresPool, chunkSize: Int = Ingestor.fileChunkSize) {
        self.pool = pool
        self.chunkSize = chunkSize
    }

    /// The one chunk loop of every input path: while chunk N is written (its own transaction, on
    /// one connection), chunk N+1 is read, its references looked up (on a second connection) and
    /// validated, so parsing and validation overlap the database's work. Writes stay in input
    /// order; each chunk commits on its own, so a crash loses at most the chunk in flight and a
    /// re-run (idempotent) finishes the job.
    ///
    /// - Parameters:
    ///   - source: recorded in `etl_rejects.source` (a file's path, `stdin`, `api:<batch_id>`).
    ///   - scope: the regions and branches the sender may write, or nil for all (`IngestScope`).
    ///   - summary: what was done so far, updated after each chunk commits.
    ///   - report: sees the summary after each chunk commits (progress).
    ///   - checkpoint: runs after each chunk commits, on the connection that wrote it (idle until
    ///     the next chunk is written), so a caller can record its progress without taking a third
    ///     connection. It must not keep the connection.
    ///   - next: the next entries, nil at the end.
    public static func pipeline(pool: PostgresPool, source: String, scope: IngestScope? = nil, summary: inout Summary,
                                report: (Summary) -> Void = { _ in },
                                checkpoint: ((Summary, PostgresConnection) async throws -> Void)? = nil,
                                next: () async throws -> [IngestEntry]?) async throws {
        try await pool.withConnection { connection in
            try await pool.withConnection { lookup in
                let writer = IngestWriter(connection: connection, source: source)
                try await writer.prepare()
                var position = 0
                var current: IngestChunk?
                if let entries = try await next() {
                    current = try await prepare(entries, lookup: lookup, inFlight: nil, scope: scope, firstIndex: position)
                    position += entries.count
                }
                while let chunk = current {
                    async let written = writer.write(chunk)
                    var upcoming: IngestChunk?
                    do {
                        if let entries = try await next() {
                            upcoming = try await prepare(entries, lookup: lookup, inFlight: chunk, scope: scope, firstIndex: position)
                            position += entries.count
                        }
                    } catch {
                        // The chunk in flight still commits; the summary counts it.
                        if let counts = try? await written { summary.add(chunk, counts) }
                        throw error
                    }
                    let counts = try await written
                    summary.add(chunk, counts)
                    report(summary)
                    try await checkpoint?(summary, connection)
                    current = upcoming
                }
            }
        }
    }

    /// Looks up what a chunk names (the chunk being written counts as written: it commits before
    /// this one is written) and validates it.
    static func prepare(_ entries: [IngestEntry], lookup: PostgresConnection, inFlight: IngestChunk?, scope: IngestScope?,
                        firstIndex: Int) async throws -> IngestChunk {
        let references = IngestChunkDecoder.references(entries, scoped: scope != nil)
        var known = try await IngestLookup.rows(references, skippingLoans: Set(inFlight?.loans.map(\.loanId) ?? []), on: lookup)
        if let inFlight { known.overlay(inFlight) }
        return IngestChunkDecoder.decode(entries, known: known, scope: scope, firstIndex: firstIndex)
    }
}
