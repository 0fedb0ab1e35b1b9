import AnalyticsCore

extension Ingestor {
    /// What one run did.
    public struct Summary: Sendable {
        /// Valid records.
        public var accepted = 0
        /// Rejected records (each is in `etl_rejects`).
        public var rejected = 0
        /// Records that repeated an id given earlier in the same chunk (the last one counts).
        public var duplicates = 0
        /// Chunks written while another chunk was being written (`Ingestor.pipeline`).
        public var chunksWrittenBeside = 0
        /// What the writes did, per kind.
        public var counts = IngestWriter.Counts()
        /// Unknown field name -> how many records carried it (ignored).
        public var unknownFieldCounts: [String: Int] = [:]
        /// The first rejects, in input order, at most `rejectSampleLimit` of them.
        public var rejectSample: [IngestReject] = []
        /// How many rejects `rejectSample` keeps (0: none, so a file of any size keeps none in memory).
        public var rejectSampleLimit: Int

        /// An empty summary that keeps the first `rejectSampleLimit` rejects.
        public init(rejectSampleLimit: Int = 0) {
            self.rejectSampleLimit = rejectSampleLimit
        }

        /// The summary line: `ingest: accepted N, rejected M (...)`.
        public var line: String {
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

        /// Adds a written chunk's outcome.
        mutating func add(_ chunk: IngestChunk, _ counts: IngestWriter.Counts) {
            accepted += chunk.acceptedCount
            rejected += chunk.rejects.count
            duplicates += chunk.duplicates
            self.counts.merge(counts)
            unknownFieldCounts.merge(chunk.unknownFieldCounts, uniquingKeysWith: +)
            if rejectSample.count < rejectSampleLimit {
                rejectSample += chunk.rejects.prefix(rejectSampleLimit - rejectSample.count)
            }
        }
    }
}
