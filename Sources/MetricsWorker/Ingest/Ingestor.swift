import AnalyticsCore
import AnalyticsStore

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
            if !updated.isEmpty || duplicates > 0 { parts.append("updated: \(updated.isEmpty ? "none" : updated) (\(duplicates) repeated ids in the input)") }
            if !unchanged.isEmpty { parts.append("unchanged: \(unchanged)") }
            if counts.placeholders > 0 { parts.append("placeholder officers/customers created: \(counts.placeholders)") }
            if !unknownFieldCounts.isEmpty {
                let fields = unknownFieldCounts.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
                parts.append("unknown fields ignored: \(fields)")
            }
            if rejected > 0 { parts.append("see etl_rejects for the rejected records and their reasons") }
            return parts.joined(separator: "; ")
        }
    }

    let pool: PostgresPool
    var chunkSize = 5_000

    /// Ingests one input; each chunk commits on its own, so a crash loses at most the chunk in
    /// flight and a re-run (idempotent) finishes the job.
    func run(_ input: IngestSource, summary: inout Summary, progress: Progress? = nil) async throws {
        try await pool.withConnection { connection in
            let writer = IngestWriter(connection: connection, source: input.name)
            try await writer.prepare()
            while let entries = try input.nextChunk(limit: chunkSize) {
                try await Self.ingest(entries, with: writer, into: &summary)
                progress?.update(summary.accepted + summary.rejected, unit: "records")
            }
        }
    }

    /// One chunk: look up the loans its repayments name, validate, write in one transaction, and
    /// add the outcome to `summary`. Every input path (files, standard input, seed-demo) uses it.
    static func ingest(_ entries: [IngestEntry], with writer: IngestWriter, into summary: inout Summary) async throws {
        let known = try await writer.existingLoanIDs(IngestChunkDecoder.referencedLoanIDs(entries))
        let chunk = IngestChunkDecoder.decode(entries, knownLoanIDs: known)
        let counts = try await writer.write(chunk)
        summary.accepted += chunk.acceptedCount
        summary.rejected += chunk.rejects.count
        summary.duplicates += chunk.duplicates
        summary.counts.merge(counts)
        summary.unknownFieldCounts.merge(chunk.unknownFieldCounts, uniquingKeysWith: +)
    }
}
