import AnalyticsCore
import AnalyticsStore

/// The storage of `POST /api/v1/ingest` and its batches (protocol, so tests can hand in others).
protocol IngestRepository: Sendable {
    /// Starts a batch: claims its `Idempotency-Key`, if any, and records the batch, in one
    /// transaction. Nothing is recorded unless the answer is `.started`.
    func begin(_ batch: IngestBatch) async throws -> IngestBegin

    /// Loads the entries `next` returns through the shared ingest pipeline (validation, the
    /// batch's scope, chunked transactions, `etl_rejects` with the source `api:<batch_id>`).
    /// `summary` holds what was written so far, also when this throws.
    func load(_ batch: IngestBatch, summary: inout Ingestor.Summary, next: () async throws -> [IngestEntry]?) async throws

    /// Marks the batch completed and stores the response with its key, in one transaction.
    func complete(_ batch: IngestBatch, summary: Ingestor.Summary, response: [UInt8], requestHash: String) async throws

    /// Marks the batch failed and gives its key up (a retry runs again; the chunks already
    /// written stay, and idempotent upserts make the rerun safe).
    func abandon(_ batch: IngestBatch, summary: Ingestor.Summary) async throws

    /// A batch's owner and state; nil when there is no such batch.
    func batch(id: String) async throws -> IngestBatchInfo?

    /// One page of a batch's rejects, in input order, each rendered as a JSON object, and their total.
    func rejects(batchID: String, page: Int, perPage: Int) async throws -> (rows: [[UInt8]], total: Int)
}

/// One `POST /api/v1/ingest` request.
struct IngestBatch: Sendable {
    /// A new UUID (lower case).
    var id: String
    /// The token's `sub`: only it (and admins) may read the batch's rejects.
    var subject: String
    /// The body type.
    var mediaType: IngestMediaType
    /// The regions and branches the token may write, nil for all.
    var scope: IngestScope?
    /// The `Idempotency-Key` header, if sent.
    var idempotencyKey: String?

    /// `etl_rejects.source` of the batch.
    var source: String { IngestSourceName.api(batchID: id) }
}

/// How `begin` went.
enum IngestBegin: Sendable, Equatable {
    /// The batch is recorded (and its key claimed): load it.
    case started
    /// The key is held by a request still running.
    case inProgress
    /// The key was used for a request that completed: its hash and response.
    case completed(requestHash: String, response: [UInt8])
    /// The key was used on another endpoint.
    case usedElsewhere
}

/// A batch as `ingest_batches` records it.
struct IngestBatchInfo: Sendable, Equatable {
    var subject: String
    var status: String
    var accepted: Int
    var rejected: Int
}
