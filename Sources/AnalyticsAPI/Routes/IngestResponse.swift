import AnalyticsCore
import AnalyticsStore

/// The bodies of the ingest endpoints (issue 14): the summary of a `POST /api/v1/ingest` and the
/// reject objects both endpoints list.
enum IngestResponse {
    /// How many rejects the POST response lists; `GET .../batches/{batch_id}/rejects` pages
    /// through all of them.
    static let rejectsShown = 100

    /// `{"success": rejected == 0, "data": {"batch_id", "accepted", "rejected", "inserted",
    /// "updated", "unchanged", "duplicates", "unknown_fields", "rejects"}}`.
    static func body(batchID: String, summary: Ingestor.Summary) -> [UInt8] {
        var writer = JSONWriter(capacity: 1024 + summary.rejectSample.count * 256)
        writer.raw("{\"success\":\(summary.rejected == 0),\"data\":{\"batch_id\":")
        writer.string(batchID)
        writer.raw(",\"accepted\":\(summary.accepted),\"rejected\":\(summary.rejected)")
        for (name, counts) in [("inserted", summary.counts.inserted), ("updated", summary.counts.updated),
                               ("unchanged", summary.counts.unchanged)] {
            writer.raw(",")
            writer.key(name)
            writer.raw("{")
            for (i, kind) in RecordKind.allCases.enumerated() {
                writer.comma(if: i > 0)
                writer.key(kind.batchKey)
                writer.raw("\(counts[kind, default: 0])")
            }
            writer.raw("}")
        }
        writer.raw(",\"duplicates\":\(summary.duplicates),\"unknown_fields\":{")
        for (i, field) in summary.unknownFieldCounts.sorted(by: { $0.key < $1.key }).enumerated() {
            writer.comma(if: i > 0)
            writer.key(field.key)
            writer.raw("\(field.value)")
        }
        writer.raw("},\"rejects\":[")
        for (i, reject) in summary.rejectSample.enumerated() {
            writer.comma(if: i > 0)
            writer.raw(bytes: Self.reject(index: reject.index, location: reject.location, kind: reject.kind?.rawValue,
                                          id: reject.entityID, reasonsJSON: reject.reasonsJSON))
        }
        writer.raw("]}}")
        return writer.bytes
    }

    /// One reject: `{"index", "location", "entity_type", "entity_id", "reasons": [{"field", "message"}]}`.
    /// `reasonsJSON` is the stored JSON array (`IngestReject.reasonsJSON`).
    static func reject(index: Int?, location: String, kind: String?, id: String?, reasonsJSON: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + reasonsJSON.utf8.count)
        writer.raw("{\"index\":\(index.map(String.init) ?? "null"),\"location\":")
        writer.string(location)
        writer.raw(",\"entity_type\":")
        writer.string(kind)
        writer.raw(",\"entity_id\":")
        writer.string(id)
        writer.raw(",\"reasons\":")
        writer.raw(reasonsJSON)
        writer.raw("}")
        return writer.bytes
    }
}
