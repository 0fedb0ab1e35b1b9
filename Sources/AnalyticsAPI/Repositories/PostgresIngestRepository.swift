import AnalyticsCore
import AnalyticsStore

/// `IngestRepository` on the primary: `ingest_batches`, the claims and responses of
/// `api_idempotency_keys` (the store of `POST .../actions` too), and the shared `Ingestor`.
struct PostgresIngestRepository: IngestRepository {
    /// The primary pool (a load takes two of its connections while it runs).
    let pool: PostgresPool
    /// How long a completed key and its response are kept (`IDEMPOTENCY_KEY_TTL_HOURS`).
    var idempotencyKeyTTLHours = PostgresAuditRepository.defaultIdempotencyKeyTTLHours
    /// How long a running request's claim on its key lasts unless a written chunk renews it: a
    /// killed process's claim lapses after this, and a retry may run.
    var claimLeaseSeconds = 300

    func begin(_ batch: IngestBatch) async throws -> IngestBegin {
        do {
            return try await pool.withTransaction { connection in
                if let key = batch.idempotencyKey {
                    // An expired key is unused: its row goes first (a lapsed claim's batch failed).
                    try await connection.execute("""
                        WITH gone AS (
                            DELETE FROM api_idempotency_keys WHERE actor = $1 AND idempotency_key = $2 AND expires_at <= now()
                            RETURNING batch_id
                        )
                        UPDATE ingest_batches SET status = 'failed', finished_at = now(), updated_at = now()
                        WHERE batch_id IN (SELECT batch_id FROM gone) AND status = 'running'
                        """, [batch.subject, key])
                    let stored = try await connection.query("""
                        SELECT batch_id IS NULL AS elsewhere, status_code, request_hash, response_body FROM api_idempotency_keys
                        WHERE actor = $1 AND idempotency_key = $2
                        """, [batch.subject, key])
                    if let row = stored.first {
                        if try row.decode(Bool.self, "elsewhere") { return .usedElsewhere }
                        guard try row.decode(Int.self, "status_code") != 0 else { return .inProgress }
                        return .completed(requestHash: try row.decode(String.self, "request_hash"),
                                          response: Array(try row.decode(String.self, "response_body").utf8))
                    }
                }
                try await connection.execute("""
                    INSERT INTO ingest_batches (batch_id, subject, content_type) VALUES ($1::uuid, $2, $3)
                    """, [batch.id, batch.subject, batch.mediaType.rawValue])
                if let key = batch.idempotencyKey {
                    try await connection.execute("""
                        INSERT INTO api_idempotency_keys
                            (actor, idempotency_key, batch_id, request_hash, status_code, response_body, expires_at)
                        VALUES ($1, $2, $3::uuid, '', 0, '', now() + make_interval(secs => $4::int))
                        """, [batch.subject, key, batch.id, claimLeaseSeconds])
                }
                return .started
            }
        } catch let error as PostgresError where error.sqlState == "23505" {
            // Another request claimed the key between our look and our insert.
            return .inProgress
        }
    }

    func load(_ batch: IngestBatch, summary: inout Ingestor.Summary, next: () async throws -> [IngestEntry]?) async throws {
        try await Ingestor.pipeline(pool: pool, source: batch.source, scope: batch.scope, summary: &summary,
                                    checkpoint: { try await renew(batch, $0, on: $1) }, next: next)
    }

    /// After each written chunk: the batch's counts so far, and the key's claim renewed.
    private func renew(_ batch: IngestBatch, _ summary: Ingestor.Summary, on connection: PostgresConnection) async throws {
        try await connection.execute("""
            UPDATE ingest_batches SET accepted = $2, rejected = $3, updated_at = now() WHERE batch_id = $1::uuid
            """, [batch.id, summary.accepted, summary.rejected])
        if batch.idempotencyKey != nil {
            try await connection.execute("""
                UPDATE api_idempotency_keys SET expires_at = now() + make_interval(secs => $2::int)
                WHERE batch_id = $1::uuid AND status_code = 0
                """, [batch.id, claimLeaseSeconds])
        }
    }

    func complete(_ batch: IngestBatch, summary: Ingestor.Summary, response: [UInt8], requestHash: String) async throws {
        try await pool.withTransaction { connection in
            try await connection.execute("""
                UPDATE ingest_batches SET status = 'completed', accepted = $2, rejected = $3, finished_at = now(), updated_at = now()
                WHERE batch_id = $1::uuid
                """, [batch.id, summary.accepted, summary.rejected])
            try await connection.execute("""
                UPDATE api_idempotency_keys
                SET request_hash = $2, status_code = 200, response_body = $3, expires_at = now() + make_interval(hours => $4::int)
                WHERE batch_id = $1::uuid
                """, [batch.id, requestHash, String(decoding: response, as: UTF8.self), idempotencyKeyTTLHours])
        }
    }

    func abandon(_ batch: IngestBatch, summary: Ingestor.Summary) async throws {
        try await pool.withTransaction { connection in
            try await connection.execute("DELETE FROM api_idempotency_keys WHERE batch_id = $1::uuid AND status_code = 0", [batch.id])
            try await connection.execute("""
                UPDATE ingest_batches SET status = 'failed', accepted = $2, rejected = $3, finished_at = now(), updated_at = now()
                WHERE batch_id = $1::uuid
                """, [batch.id, summary.accepted, summary.rejected])
        }
    }
}
