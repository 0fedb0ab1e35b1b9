/// The body types of `POST /api/v1/ingest`: a JSON document (one record, a batch object, an array
/// of records) or NDJSON (one record object per line, read as it arrives).
enum IngestMediaType: String, Sendable {
    case json = "application/json"
    case ndjson = "application/x-ndjson"

    /// The type a `Content-Type` header declares: `application/json` or `application/x-ndjson`,
    /// optionally with `charset=utf-8` (any case, quoted or not); 415 for anything else.
    init(contentType header: String?) throws(APIError) {
        let parts = (header ?? "").split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard let type = parts.first.flatMap({ Self(rawValue: $0.lowercased()) }) else {
            throw APIError(.unsupportedMediaType,
                           "the body must be sent as Content-Type: application/json (one record, a batch object or an array) "
                           + "or application/x-ndjson (one record per line)")
        }
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            guard pair.count == 2, pair[0].lowercased() == "charset" else { continue }
            var charset = pair[1]
            if charset.count >= 2, charset.hasPrefix("\""), charset.hasSuffix("\"") { charset = charset.dropFirst().dropLast() }
            guard charset.lowercased() == "utf-8" || charset.lowercased() == "utf8" else {
                throw APIError(.unsupportedMediaType, "the body must be UTF-8 (charset=utf-8), not charset=\(charset.prefix(40))")
            }
        }
        self = type
    }
}
