import Hummingbird

/// The `Idempotency-Key` header of the writes that take one (`POST .../actions`, `POST /api/v1/ingest`).
enum IdempotencyKey {
    /// The key; nil when the header is absent, 400 when it is empty or over 255 bytes.
    static func read(_ headers: HTTPFields) throws(APIError) -> String? {
        let key = headers[.idempotencyKey]
        if let key, key.isEmpty || key.utf8.count > 255 {
            throw APIError(.badRequest, "Idempotency-Key must be 1-255 bytes", details: [ErrorDetail(field: "Idempotency-Key", issue: "length")])
        }
        return key
    }
}
