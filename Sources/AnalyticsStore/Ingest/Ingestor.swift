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

    /// The pool the chunks are written through (one connection for an input of one chunk, two
    /// taken together for a longer one: one writes, one looks up).
    public let pool: PostgresPool
    /// Records per transaction.
    public var chunkSize: Int

    /// An ingestor writing through `pool`, `chunkSize` records per transaction.
    public init(pool: PostgresPool, chunkSize: Int = Ingestor.fileChunkSize) {
        self.pool = pool
        self.chunkSize = chunkSize
    }

    /// The one chunk loop of every input path.
    ///
    /// The first two chunks are read before any connection is taken. An input of one chunk (a
    /// `POST /api/v1/ingest` of a few records) then takes one connection and looks up, validates
    /// and writes on it: a request never holds a connection while it waits for a second, and a
    /// slow sender holds none while its body arrives. A longer input takes two connections at once
    /// (`PostgresPool.withConnectionPair`, never one and then the other, so concurrent loads
    /// cannot each hold one and wait for the other's): while chunk N is written (its own
    /// transaction, on one connection), chunk N+1 is read, its references looked up (on the
    /// second) and validated, so parsing and validation overlap the database's work (a file of a
    /// million records). A pool of one connection loads a long input on that one connection,
    /// looking up between writes. Writes stay in input order; each chunk commits on its own, so a
    /// crash loses at most the chunk in flight and a re-run (idempotent) finishes the job.
    ///
    /// - Parameters:
    ///   - source: recorded in `etl_rejects.source` (a file's path, `stdin`, `api:<batch_id>`).
    ///   - scope: the regions and branches the sender may write, or nil for all (`IngestScope`).
    ///   - summary: what was done so far, updated after each chunk commits.
    ///   - report: sees the summary after each chunk commits (progress).
    ///   - checkpoint: runs after each chunk that another chunk follows commits (not after the
    ///     last: the caller's own completion comes next), on the connection that wrote it (idle
    ///     until the next chunk is written), so a caller can record its progress without taking
    ///     another connection. It must not keep the connection.
    ///   - inTransaction: runs at the end of every chunk's own write transaction, in input order, so
    ///     a caller's progress (`sync-fineract`'s watermark) commits with the rows it covers.
    ///   - next: the next entries, nil at the end.
    public static func pipeline(pool: PostgresPool, source: String, scope: IngestScope? = nil, summary: inout Summary,
                                report: (Summary) -> Void = { _ in },
                                checkpoint: ((Summary, PostgresConnection) async throws -> Void)? = nil,
                                inTransaction: (@Sendable (PostgresConnection) async throws -> Void)? = nil,
                                next: () async throws -> [IngestEntry]?) async throws {
        // Chunks read ahead and not yet handed on (no other reference keeps them in memory).
        var buffered: [[IngestEntry]] = []
        if let entries = try await next() { buffered.append(entries) } else { return }
        do {
            if let entries = try await next() { buffered.append(entries) }
        } catch {
            // As in the loop: the chunk read before the failure still commits; the summary counts it.
            try? await single(buffered.removeFirst(), pool: pool, source: source, scope: scope, summary: &summary, report: report,
                             inTransaction: inTransaction)
            throw error
        }
        guard buffered.count == 2 else {
            try await single(buffered.removeFirst(), pool: pool, source: source, scope: scope, summary: &summary, report: report,
                             inTransaction: inTransaction)
            return
        }
        func following() async throws -> [IngestEntry]? {
            if buffered.isEmpty { return try await next() }
            return buffered.removeFirst()
        }
        if pool.maximumConnections < 2 {
            try await pool.withConnection { connection in
                try await overlapped(writeOn: connection, lookup: connection, source: source, scope: scope,
                                     summary: &summary, report: report, checkpoint: checkpoint, inTransaction: inTransaction,
                                     next: following)
            }
        } else {
            try await pool.withConnectionPair { connection, lookup in
                try await overlapped(writeOn: connection, lookup: lookup, source: source, scope: scope,
                                     summary: &summary, report: report, checkpoint: checkpoint, inTransaction: inTransaction,
                                     next: following)
            }
        }
    }

    /// An input of one chunk: looked up, validated and written on one connection.
    private static func single(_ entries: [IngestEntry], pool: PostgresPool, source: String, scope: IngestScope?,
                               summary: inout Summary, report: (Summary) -> Void,
                               inTransaction: (@Sendable (PostgresConnection) async throws -> Void)?) async throws {
        try await pool.withConnection { connection in
            let writer = IngestWriter(connection: connection, source: source)
            try await writer.prepare()
            let chunk = try await prepare(entries, lookup: connection, inFlight: nil, scope: scope, firstIndex: 0)
            summary.add(chunk, try await writer.write(chunk, inTransaction: inTransaction))
            report(summary)
        }
    }

    /// The loop of a longer input: chunk N written on `connection` while chunk N+1 is read and
    /// validated with `lookup` (the same connection when the pool has only one: the lookup then
    /// waits for the write, and only reading overlaps it).
    private static func overlapped(writeOn connection: PostgresConnection, lookup: PostgresConnection,
                                   source: String, scope: IngestScope?, summary: inout Summary, report: (Summary) -> Void,
                                   checkpoint: ((Summary, PostgresConnection) async throws -> Void)?,
                                   inTransaction: (@Sendable (PostgresConnection) async throws -> Void)?,
                                   next: () async throws -> [IngestEntry]?) async throws {
        let shared = connection.handle === lookup.handle
        let writer = IngestWriter(connection: connection, source: source)
        try await writer.prepare()
        var position = 0
        var current: IngestChunk?
        if let entries = try await next() {
            current = try await prepare(entries, lookup: lookup, inFlight: nil, scope: scope, firstIndex: 0)
            position = entries.count
        }
        while let chunk = current {
            var upcoming: IngestChunk?
            if shared {
                let counts = try await writer.write(chunk, inTransaction: inTransaction)
                summary.add(chunk, counts)
                if let entries = try await next() {
                    upcoming = try await prepare(entries, lookup: lookup, inFlight: nil, scope: scope, firstIndex: position)
                    position += entries.count
                }
            } else {
                async let written = writer.write(chunk, inTransaction: inTransaction)
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
                summary.add(chunk, try await written)
            }
            report(summary)
            if upcoming != nil { try await checkpoint?(summary, connection) }
            current = upcoming
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
