import AnalyticsCore
import AnalyticsStore
import Foundation

/// The rejected input records of `etl_rejects`, newest first, for `metrics-worker rejects`: where
/// each came from (source and location), what it was and why it was rejected; the JSON form also
/// carries the record as received (the table leaves it out: it may hold customer data).
struct RejectListing: Sendable {
    /// Which rejects to list.
    struct Filter: Sendable {
        /// Received on or after this day (UTC), or any time.
        var since: CalendarDate?
        /// Exactly this source (`IngestSource.sourceName(for:)`: an absolute path, or `stdin`), or any.
        var source: String?
        /// At most this many, newest first.
        var limit = 50
    }

    /// One reject.
    struct Row: Sendable {
        var receivedAt: String
        var source: String
        var location: String
        var entityType: String?
        var entityID: String?
        /// The `reasons` array as stored (`[{"field", "message"}]`).
        var reasons: JSONValue
        var payload: String

        /// The reasons' messages, in order.
        var messages: [String] {
            (reasons.arrayValue ?? []).compactMap { $0.objectValue?["message"]?.stringValue }
        }
    }

    var rows: [Row]
    /// How many match the filter (beyond `limit` too).
    var total: Int

    /// Reads the rejects matching `filter`.
    static func load(_ filter: Filter, pool: PostgresPool) async throws -> RejectListing {
        let condition = "($1::date IS NULL OR received_at >= $1::date) AND ($2::text IS NULL OR source = $2::text)"
        let bindings: PostgresBindings = [filter.since, filter.source]
        let total = try await pool.query("SELECT count(*)::int AS n FROM etl_rejects WHERE \(condition)", bindings)[0]
            .decode(Int.self, "n")
        let reader = JSONReader()
        let rows = try await pool.query("""
            SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS received_at, source, location,
                   entity_type, entity_id, reasons::text AS reasons, payload
            FROM etl_rejects WHERE \(condition) ORDER BY received_at DESC, reject_id DESC LIMIT $3
            """, [filter.since, filter.source, filter.limit]).map { row in
            Row(receivedAt: try row.decode(String.self, "received_at"), source: try row.decode(String.self, "source"),
                location: try row.decode(String.self, "location"), entityType: try row.decode(String?.self, "entity_type"),
                entityID: try row.decode(String?.self, "entity_id"),
                reasons: (try? reader.parse(Array(try row.decode(String.self, "reasons").utf8))) ?? .array([]),
                payload: try row.decode(String.self, "payload"))
        }
        return RejectListing(rows: rows, total: total)
    }

    /// A table for a terminal: one line per reject (its reasons joined), then a count line. The
    /// payload is left out (it may hold customer data; `--format json` has it).
    var table: String {
        guard !rows.isEmpty else { return "no rejected records match" }
        let header = ["RECEIVED (UTC)", "SOURCE", "LOCATION", "RECORD", "REASONS"]
        let cells = rows.map { row in
            [String(row.receivedAt.prefix(16)).replacingOccurrences(of: "T", with: " "), row.source, row.location,
             [row.entityType, row.entityID].compactMap { $0 }.joined(separator: " "), row.messages.joined(separator: "; ")]
        }
        var widths = header.map(\.count)
        for line in cells {
            for (i, cell) in line.enumerated().dropLast() { widths[i] = min(max(widths[i], cell.count), 48) }
        }
        func render(_ line: [String]) -> String {
            line.enumerated().map { i, cell in
                guard i < line.count - 1 else { return cell }
                let clipped = cell.count > widths[i] ? String(cell.prefix(widths[i] - 1)) + "…" : cell
                return clipped.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var out = ([header] + cells).map(render)
        out.append(total > rows.count ? "\(rows.count) of \(total) rejected records (newest first; --limit for more)"
                                       : "\(total) rejected record\(total == 1 ? "" : "s")")
        return out.joined(separator: "\n")
    }

    /// A JSON array, every field included.
    var json: String {
        var out = "["
        for (i, row) in rows.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            let fields: [(String, JSONValue)] = [
                ("received_at", .string(row.receivedAt)), ("source", .string(row.source)), ("location", .string(row.location)),
                ("entity_type", row.entityType.map(JSONValue.string) ?? .null), ("entity_id", row.entityID.map(JSONValue.string) ?? .null),
                ("reasons", row.reasons), ("payload", .string(row.payload)),
            ]
            out += JSONValue.object(JSONObject(members: fields.map { JSONObject.Member(key: $0.0, value: $0.1) })).jsonText
        }
        return out + (rows.isEmpty ? "]" : "\n]")
    }
}
