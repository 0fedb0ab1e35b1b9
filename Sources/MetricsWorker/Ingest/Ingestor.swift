import AnalyticsCore
import AnalyticsStore
import Synchronization

/// Loads inputs through validation into the source tables (INGEST.md), chunk by chunk.
struct Ingestor {
    /// What one run did.
    struct Summary: Sendable {
        var accepted = 0
        var rejected = 0
        var duplicates = 0
        var counts = IngestWriter.Counts()
        var unknownFieldCounts: [String: Int] = [:]

        /// The summary line: `ingest: accepted N, rejected M (...)`.
        var line: String {
            func kinds(_ values: [RecordKind: Int]) -> String {
                RecordKind.allCases.compactMap { kind in values[kind].flatMap { $0 > 0 ? "\(kind.batchKey) \($0)" : nil } }
                    .joined(separator: ", ")
            }
            var parts = ["ingest: accepted \(accepted), rejected \(rejected)"]
            let inserted = kinds(counts.inserted), updated = kinds(counts.updated), unchanged = kinds(counts.unchanged)
            if !inserted.isEmpty { parts.append("inserted: \(inserted)") }
            if !updated.isEmpty { parts.append("updated: \(updated)") }
            if !unchanged.isEmpty { parts.append("unchanged: \(unchanged)") }
            if duplicates > 0 {
                parts.append("\(duplicates) record\(duplicates == 1 ? "" : "s") repeated an id given earlier in the same input (the last one counts)")
            }
            if !unknownFieldCounts.isEmpty {
                let fields = unknownFieldCounts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                parts.append("unknown fields ignored: \(fields)")
            }
            if rejected > 0 { parts.append("see them with: metrics-worker rejects") }
            return parts.joined(separator: "; ")
        }
    }

    /// Records per transaction of `ingest` (`--chunk-size`): parsed records with their raw text,
    /// two chunks in memory at once (one written, one validated).
    static let fileChunkSize = 5_000
    /// Records per transaction of `seed-demo` (`--chunk-size`): generated records are small and
    /// cheap, so larger chunks mean fewer statements and commits (56,558 records/s at a million
    /// loans against 50,401 with 20,000).
    static let seedChunkSize = 50_000
    /// The bounds of `--chunk-size`.
    static let chunkSizes = 1...100_000

    let pool: PostgresPool
    var chunkSize = Ingestor.fileChunkSize

    /// Ingests one input; each chunk commits on its own, so a crash loses at most the chunk in
    /// flight and a re-run (idempotent) finishes the job. The input is read and parsed on the
    /// blocking executor: file reads never hold a thread of the cooperative pool.
    func run(_ input: sending IngestSource, summary: inout Summary, progress: Progress? = nil) async throws {
        let chunkSize = self.chunkSize
        let name = input.name
        let reader = BlockingChunkReader(input, executor: pool.executor)
        try await Self.pipeline(pool: pool, source: name, summary: &summary,
                                report: { progress?.update($0.accepted + $0.rejected, unit: "records") }) {
            try await reader.nextChunk(limit: chunkSize)
        }
    }

    /// The one chunk loop of every input path (files, standard input, seed-demo): while chunk N is
    /// written (its own transaction, on one connection), chunk N+1 is read, its loans looked up (on
    /// a second connection) and validated, so parsing and validation overlap the database's work.
    /// Writes stay in input order. `next` returns the next entries, nil at the end.
    /// `report` sees the summary after each chunk (for progress).
    static func pipeline(pool: PostgresPool, source: String, summary: inout Summary, report: (Summary) -> Void,
                         next: () async throws -> [IngestEntry]?) async throws {
        try await pool.withConnection { connection in
            try await pool.withConnection { lookup in
                let writer = IngestWriter(connection: connection, source: source)
                try await writer.prepare()
                var current: IngestChunk?
                if let entries = try await next() { current = try await prepare(entries, lookup: lookup, inFlightLoans: []) }
                while let chunk = current {
                    async let written = writer.write(chunk)
                    var upcoming: IngestChunk?
                    do {
                        if let entries = try await next() {
                            upcoming = try await prepare(entries, lookup: lookup, inFlightLoans: Set(chunk.loans.map(\.loanId)))
                        }
                    } catch {
                        _ = try? await written
                        throw error
                    }
                    let counts = try await written
                    summary.add(chunk, counts)
                    report(summary)
                    current = upcoming
                }
            }
        }
    }

    /// Looks up the loans a chunk's repayments name (those of the chunk being written count as
    /// existing: they commit before this chunk is written) and validates it.
    static func prepare(_ entries: [IngestEntry], lookup: PostgresConnection, inFlightLoans: Set<String>) async throws -> IngestChunk {
        let referenced = IngestChunkDecoder.referencedLoanIDs(entries)
        var known = try await IngestWriter.existingLoanIDs(referenced.subtracting(inFlightLoans), on: lookup)
        known.formUnion(referenced.intersection(inFlightLoans))
        return IngestChunkDecoder.decode(entries, knownLoanIDs: known)
    }
}

/// An `IngestSource` read on the blocking executor. The pipeline asks for one chunk at a time; the
/// lock only gives the source a `Sendable` home.
final class BlockingChunkReader: Sendable {
    private let source: Mutex<IngestSource>
    private let executor: BlockingExecutor

    init(_ source: sending IngestSource, executor: BlockingExecutor) {
        self.source = Mutex(source)
        self.executor = executor
    }

    /// The next chunk of at most `limit` entries, or nil at the end of the input.
    func nextChunk(limit: Int) async throws -> [IngestEntry]? {
        try await executor.run { [self] in
            try source.withLock { source throws -> [IngestEntry]? in try source.nextChunk(limit: limit) }
        }
    }
}

extension Ingestor.Summary {
    /// Adds a written chunk's outcome.
    mutating func add(_ chunk: IngestChunk, _ counts: IngestWriter.Counts) {
        accepted += chunk.acceptedCount
        rejected += chunk.rejects.count
        duplicates += chunk.duplicates
        self.counts.merge(counts)
        unknownFieldCounts.merge(chunk.unknownFieldCounts, uniquingKeysWith: +)
    }
}
