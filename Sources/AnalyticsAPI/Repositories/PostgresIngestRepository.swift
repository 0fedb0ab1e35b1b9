import AnalyticsCore
import AnalyticsStore

/// `IngestRepository` on the primary: `ingest_batches`, the claims and responses of
/// `api_idempotency_keys` (the store of `POST .../actions` too), and the shared `Ingestor`.
///
/// Round trips of a small request (one chunk, no key): the batch's row (one statement), the chunk's
/// lookup and transaction on one connection (the staging tables exist once per connection), and the
/// completion (one statement): three commits. Each step that changes two tables is one statement
/// (data-modifying `WITH`), atomic without `BEGIN`/`COMMIT` round trips.
struct PostgresIngestRepository: IngestRepository {
    /// The ingest pool (`INGEST_DB_POOL_SIZE`, apart from the readers' pool): a load of one chunk
    /// takes one of its connections, a longer load two at once (and a third, when one is free,
    /// while it writes two chunks at once).
    let pool: PostgresPool
    /// How long a completed key and its response are kept (`IDEMPOTENCY_KEY_TTL_HOURS`).
    var idempotencyKeyTTLHours = PostgresAuditRepository.defaultIdempotencyKeyTTLHours
    /// How long a running request's claim on its key lasts unless a written chunk renews it: a
    /// killed process's claim lapses after this, and a retry may run.
    var claimLeaseSeconds = 300

    func begin(_ batch: IngestBatch) async throws -> IngestBegin {
        guard let key = batch.idempotencyKey else {
            try await pool.query("""
                INSERT INTO ingest_batches (batch_id, subject, content_type) VALUES ($1::uuid, $2, $3)
                """, [batch.id, batch.subject, batch.mediaType.rawValue])
            return .started
        }
        do {
            // An expired key is unused: its row goes (a lapsed claim's batch failed), and the key is
            // read as if it had gone already (the statement's own snapshot still shows the row).
            let stored = try await pool.query("""
                WITH gone AS (
                    DELETE FROM api_idempotency_keys WHERE actor = $1 AND idempotency_key = $2 AND expires_at <= now()
                    RETURNING batch_id
                ), failed AS (
                    UPDATE ingest_batches SET status = 'failed', finished_at = now(), updated_at = now()
                    WHERE batch_id IN (SELECT batch_id FROM gone) AND status = 'running'
                )
                SELECT batch_id IS NULL AS elsewhere, status_code, request_hash, response_body FROM api_idempotency_keys
                WHERE actor = $1 AND idempotency_key = $2 AND expires_at > now()
                """, [batch.subject, key])
            if let row = stored.first {
                if try row.decode(Bool.self, "elsewhere") { return .usedElsewhere }
                guard try row.decode(Int.self, "status_code") != 0 else { return .inProgress }
                return .completed(requestHash: try row.decode(String.self, "request_hash"),
                                  response: Array(try row.decode(String.self, "response_body").utf8))
            }
            // The batch and the claim in one statement: both or neither.
            try await pool.query("""
                WITH batch AS (
                    INSERT INTO ingest_batches (batch_id, subject, content_type) VALUES ($3::uuid, $1, $4)
                )
                INSERT INTO api_idempotency_keys (actor, idempotency_key, batch_id, request_hash, status_code, response_body, expires_at)
                VALUES ($1, $2, $3::uuid, '', 0, '', now() + make_interval(secs => $5::int))
                """, [batch.subject, key, batch.id, batch.mediaType.rawValue, claimLeaseSeconds])
            return .started
        } catch let error as PostgresError where error.sqlState == "23505" {
            // Another request claimed the key between our look and our insert.
            return .inProgress
        }
    }

    func load(_ batch: IngestBatch, summary: inout Ingestor.Summary, next: () async throws -> [IngestEntry]?) async throws {
        try await Ingestor.pipeline(pool: pool, source: batch.source, scope: batch.scope, summary: &summary,
                                    checkpoint: { try await renew(batch, $0, on: $1) }, next: next)
    }

    /// After each written chunk that another follows: the batch's counts so far, and the key's
    /// claim renewed (one statement).
    private func renew(_ batch: IngestBatch, _ summary: Ingestor.Summary, on connection: PostgresConnection) async throws {
        try await connection.execute("""
            WITH batch AS (
                UPDATE ingest_batches SET accepted = $2, rejected = $3, updated_at = now() WHERE batch_id = $1::uuid
            )
            UPDATE api_idempotency_keys SET expires_at = now() + make_interval(secs => $4::int)
            WHERE batch_id = $1::uuid AND status_code = 0
            """, [batch.id, summary.accepted, summary.rejected, claimLeaseSeconds])
    }

    func complete(_ batch: IngestBatch, summary: Ingestor.Summary, response: [UInt8], requestHash: String) async throws {
        try await pool.query("""
            WITH batch AS (
                UPDATE ingest_batches SET status = 'completed', accepted = $2, rejected = $3, finished_at = now(), updated_at = now()
                WHERE batch_id = $1::uuid
            )
            UPDATE api_idempotency_keys
            SET request_hash = $4, status_code = 200, response_body = $5, expires_at = now() + make_interval(hours => $6::int)
            WHERE batch_id = $1::uuid
            """, [batch.id, summary.accepted, summary.rejected, requestHash, String(decoding: response, as: UTF8.self),
                  idempotencyKeyTTLHours])
    }

    func abandon(_ batch: IngestBatch, summary: Ingestor.Summary) async throws {
        try await pool.query("""
            WITH batch AS (
                UPDATE ingest_batches SET status = 'failed', accepted = $2, rejected = $3, finished_at = now(), updated_at = now()
                WHERE batch_id = $1::uuid
            )
            DELETE FROM api_idempotency_keys WHERE batch_id = $1::uuid AND status_code = 0
            """, [batch.id, summary.accepted, summary.rejected])
    }
}
