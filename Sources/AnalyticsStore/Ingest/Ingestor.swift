import AnalyticsCore

/// Loads records through validation into the source tables (INGEST.md), chunk by chunk: the one
/// ingest path of the worker (files, standard input, `seed-demo`) and of `POST /api/v1/ingest`.
public struct Ingestor: Sendable {
    /// Records per transaction of `ingest` (`--chunk-size`) and of `POST /api/v1/ingest`: parsed
    /// records with their raw text, at most three chunks in memory at once (two written, one
    /// validated).
    public static let fileChunkSize = 5_000
    /// Records per transaction of `seed-demo` (`--chunk-size`): generated records are small and
    /// cheap, so larger chunks mean fewer statements and commits (56,558 records/s at a million
    /// loans against 50,401 with 20,000).
    public static let seedChunkSize = 50_000
    /// The bounds of `--chunk-size`.
    public static let chunkSizes = 1...100_000

    /// The pool the chunks are written through (one connection for an input of one chunk, two
    /// taken together for a longer one: one writes, one looks up; and a third while it writes a
    /// chunk beside another, when one is free).
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
    /// million records). When a third connection is free, chunk N+1 may also be written while
    /// chunk N still is, if that gives the same rows as writing them in order (`overlapped`). A
    /// pool of one connection loads a long input on that one connection, looking up between
    /// writes. Each chunk commits on its own, so a crash loses at most the chunks in flight (two)
    /// and a re-run (idempotent) finishes the job.
    ///
    /// - Parameters:
    ///   - source: recorded in `etl_rejects.source` (a file's path, `stdin`, `api:<batch_id>`).
    ///   - scope: the regions and branches the sender may write, or nil for all (`IngestScope`).
    ///   - summary: what was done so far, updated after each chunk commits.
    ///   - report: sees the summary after each chunk commits (progress).
    ///   - checkpoint: runs after chunks that another chunk follows commit (not after the last:
    ///     the caller's own completion comes next; with the summary of every chunk committed
    ///     so far in input order), on the connection the load leased for its writes (idle
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
                try await overlapped(writeOn: connection, lookup: connection, pool: pool, source: source, scope: scope,
                                     summary: &summary, report: report, checkpoint: checkpoint, inTransaction: inTransaction,
                                     next: following)
            }
        } else {
            try await pool.withConnectionPair { connection, lookup in
                try await overlapped(writeOn: connection, lookup: lookup, pool: pool, source: source, scope: scope,
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
            let chunk = try await prepare(entries, lookup: connection, inFlight: [], scope: scope, firstIndex: 0)
            summary.add(chunk, try await writer.write(chunk, inTransaction: inTransaction))
            report(summary)
        }
    }

    /// The loop of a longer input: chunk N written on `connection` while chunk N+1 is read and
    /// validated with `lookup`. On a pool of one connection (`lookup` is `connection`) the lookup
    /// waits for the write, and only reading overlaps it.
    ///
    /// With a connection of its own for the lookup, a chunk may also be written while the one
    /// before it is still being written (two transactions at once, the second on a connection more
    /// leased only while it writes, `PostgresPool.acquireIfFree`): the database's work on one chunk
    /// takes a core, so two writers nearly double what a large load moves on a machine with a core
    /// to spare (measured: 200,000 repayments of a million-loan book as two files at once, 41,753
    /// records/s, against 25,706 one after the other). Only when that gives the result of writing
    /// them in input order: the two chunks touch disjoint rows (`IngestChunk.Keys`: a repayment's
    /// loan counts, so a repayment never commits before the loan it names), neither has rejects
    /// (their ids follow the input), and the caller has no per-chunk transaction work
    /// (`inTransaction` commits a caller's progress, which must not cover an uncommitted chunk
    /// before it). Otherwise the chunk waits for the writes in flight. The summary, `report` and
    /// `checkpoint` still see the chunks in input order, each once it and all before it have
    /// committed. A chunk written beside another whose transaction fails (two repayments moved
    /// between two loans in opposite directions can deadlock) is written again alone, once.
    private static func overlapped(writeOn connection: PostgresConnection, lookup: PostgresConnection, pool: PostgresPool,
                                   source: String, scope: IngestScope?, summary: inout Summary, report: (Summary) -> Void,
                                   checkpoint: ((Summary, PostgresConnection) async throws -> Void)?,
                                   inTransaction: (@Sendable (PostgresConnection) async throws -> Void)?,
                                   next: () async throws -> [IngestEntry]?) async throws {
        let writer = IngestWriter(connection: connection, source: source)
        try await writer.prepare()
        if connection.handle === lookup.handle {
            var position = 0
            var entries = try await next()
            while let current = entries {
                let chunk = try await prepare(current, lookup: lookup, inFlight: [], scope: scope, firstIndex: position)
                position += current.count
                summary.add(chunk, try await writer.write(chunk, inTransaction: inTransaction))
                report(summary)
                entries = try await next()
                if entries != nil, let checkpoint { try await checkpoint(summary, connection) }
            }
            return
        }
        var pipeline = WritePipeline(writer: writer, pool: pool, source: source, concurrent: inTransaction == nil)
        try await withThrowingTaskGroup(of: WritePipeline.Finished.self) { group in
            var position = 0
            do {
                while let entries = try await next() {
                    let chunk = try await prepare(entries, lookup: lookup, inFlight: pipeline.inFlightChunks, scope: scope,
                                                  firstIndex: position)
                    position += entries.count
                    try await pipeline.dispatch(chunk, in: &group, summary: &summary, report: report, checkpoint: checkpoint,
                                                inTransaction: inTransaction)
                }
            } catch {
                // The chunks in flight still commit; the summary counts them.
                try? await pipeline.drain(&group, summary: &summary, report: report, inTransaction: inTransaction)
                throw error
            }
            try await pipeline.drain(&group, summary: &summary, report: report, inTransaction: inTransaction)
        }
    }

    /// Looks up what a chunk names (the chunk being written counts as written: it commits before
    /// this one is written) and validates it.
    static func prepare(_ entries: [IngestEntry], lookup: PostgresConnection, inFlight: [IngestChunk], scope: IngestScope?,
                        firstIndex: Int) async throws -> IngestChunk {
        let references = IngestChunkDecoder.references(entries, scoped: scope != nil)
        var known = try await IngestLookup.rows(references, skippingLoans: Set(inFlight.flatMap { $0.loans.map(\.loanId) }), on: lookup)
        for chunk in inFlight { known.overlay(chunk) }
        return IngestChunkDecoder.decode(entries, known: known, scope: scope, firstIndex: firstIndex)
    }
}
