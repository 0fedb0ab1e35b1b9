import AnalyticsCore
import AnalyticsStore
import Foundation
import Hummingbird

/// `POST /api/v1/ingest` and `GET /api/v1/ingest/batches/{batch_id}/rejects` (issue 14, INGEST.md):
/// the lending system pushes its records over HTTP, through the worker's ingest path (validation,
/// scope, chunked transactions, `etl_rejects`). Roles `ingest` and `admin`.
struct IngestController: Sendable {
    /// 256 MiB: the default of `INGEST_MAX_BYTES`.
    static let defaultMaximumBytes = 256 * 1024 * 1024

    let repository: any IngestRepository
    /// The largest body accepted (`INGEST_MAX_BYTES`).
    let maximumBytes: Int
    /// Records per transaction.
    var chunkSize = Ingestor.fileChunkSize

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.post("ingest", use: ingest)
        group.get("ingest/batches/{batch_id}/rejects", use: rejects)
    }

    /// Loads the body. The response is 200 whether or not some records were rejected (`success`
    /// says which); 400 when the body is not the declared type at all, 413 over the limit.
    @Sendable func ingest(_ request: Request, context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.ingest)
        _ = try QueryParameters(request, allowed: [])
        let mediaType = try IngestMediaType(contentType: request.headers[.contentType])
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBytes {
            throw IngestBodyReader<RequestBody>.tooLarge(maximumBytes)
        }
        let batch = IngestBatch(id: UUID().uuidString.lowercased(), subject: identity.subject, mediaType: mediaType,
                                scope: identity.scope.ingestScope, idempotencyKey: try IdempotencyKey.read(request.headers))
        var body = IngestBodyReader(request.body, maximumBytes: maximumBytes,
                                    digest: StreamingDigest(parts: Self.requestParts(mediaType, scope: identity.scope)))
        try await body.start(mediaType)

        switch try await repository.begin(batch) {
        case .started:
            break
        case .inProgress:
            throw APIError(.conflict, "a request with this Idempotency-Key is being processed; retry shortly")
        case .usedElsewhere:
            throw Self.keyReused
        case .completed(let requestHash, let response):
            try await body.drain()
            guard body.digest.finalize() == requestHash else { throw Self.keyReused }
            return ResponseBuilder.json(response, for: request)
        }

        var summary = Ingestor.Summary(rejectSampleLimit: IngestResponse.rejectsShown)
        let chunkSize = self.chunkSize
        do {
            try await repository.load(batch, summary: &summary) { try await body.nextEntries(limit: chunkSize) }
            let response = IngestResponse.body(batchID: batch.id, summary: summary)
            try await repository.complete(batch, summary: summary, response: response, requestHash: body.digest.finalize())
            return ResponseBuilder.json(response, for: request)
        } catch {
            try? await repository.abandon(batch, summary: summary)
            throw Self.explain(error, batch: batch, summary: summary)
        }
    }

    /// One page of a batch's rejects, in input order. Only the token subject that sent the batch
    /// (or an admin) sees it; anyone else gets 404, as if it did not exist.
    @Sendable func rejects(_ request: Request, context: APIRequestContext) async throws -> Response {
        let identity = try context.require(.ingest)
        let batchID = try context.parameters.require("batch_id")
        let query = try QueryParameters(request, allowed: ["page", "per_page"])
        let page = try query.integer("page", default: 1, 1...1_000_000)
        let perPage = try query.integer("per_page", default: 50, 1...500)
        let notFound = APIError(.notFound, "no ingest batch '\(batchID.prefix(64))'")
        guard let id = UUID(uuidString: batchID)?.uuidString.lowercased() else { throw notFound }
        guard let info = try await repository.batch(id: id), identity.role == .admin || info.subject == identity.subject else {
            throw notFound
        }
        let result = try await repository.rejects(batchID: id, page: page, perPage: perPage)
        var data = JSONWriter(capacity: 256 + result.rows.reduce(0) { $0 + $1.count })
        data.raw("[")
        for (i, row) in result.rows.enumerated() {
            data.comma(if: i > 0)
            data.raw(bytes: row)
        }
        data.raw("]")
        var meta = JSONWriter(capacity: 192)
        meta.raw("{\"batch_id\":")
        meta.string(id)
        meta.raw(",\"status\":")
        meta.string(info.status)
        meta.raw(",\"accepted\":\(info.accepted),\"rejected\":\(info.rejected),")
        ReadOptions.pagination(total: result.total, page: page, perPage: perPage, into: &meta)
        meta.raw("}")
        return ResponseBuilder.json(ResponseBuilder.envelope(data: data.bytes, meta: meta.bytes), for: request)
    }

    /// The parts of an ingest request that, with its body, make it "the same request" for an
    /// `Idempotency-Key`: the endpoint, the body type and the token's scope (the scope decides
    /// what is rejected, so a retry under another scope is another request).
    static func requestParts(_ mediaType: IngestMediaType, scope: AccessScope) -> CanonicalDigest {
        var parts = CanonicalDigest()
        parts.string("E", "POST /api/v1/ingest")
        parts.string("M", mediaType.rawValue)
        parts.list("R", scope.regions?.sorted())
        parts.list("B", scope.branches?.sorted())
        return parts
    }

    /// The 422 of a key used before for another request (as on `POST .../actions`).
    static let keyReused = APIError(.unprocessable, "Idempotency-Key was already used for a different request",
                                    details: [ErrorDetail(field: "Idempotency-Key", issue: "reused with a different body, endpoint or scope")])

    /// The error a failed load answers with: when a body over the limit had chunks written before
    /// the limit was reached, the message says so (they stay: a retry finds them unchanged).
    static func explain(_ error: any Error, batch: IngestBatch, summary: Ingestor.Summary) -> any Error {
        let written = summary.accepted + summary.rejected
        guard written > 0, let apiError = error as? APIError, apiError.kind == .payloadTooLarge else { return error }
        var explained = apiError
        explained.message += "; the first \(written) records were loaded as batch \(batch.id) before the limit"
        return explained
    }
}
