import AnalyticsStore

/// The sync's row of `fineract_sync_state` (migration 0013).
struct FineractSyncState: Sendable {
    static let source = "fineract"
    var watermark: String?
    var pendingWatermark: String?
    var pendingAfterLoan: Int64?
    var pendingFull = false

    static func read(on pool: PostgresPool) async throws -> FineractSyncState {
        let rows = try await pool.query("""
            SELECT watermark::text AS watermark, pending_watermark::text AS pending_watermark, pending_after_loan, pending_full
            FROM fineract_sync_state WHERE source = $1
            """, [source])
        guard let row = rows.first else { return FineractSyncState() }
        return FineractSyncState(watermark: try row.decode(String?.self, "watermark"),
                                 pendingWatermark: try row.decode(String?.self, "pending_watermark"),
                                 pendingAfterLoan: try row.decode(Int64?.self, "pending_after_loan"),
                                 pendingFull: try row.decode(Bool.self, "pending_full"))
    }

    /// Records progress in the caller's transaction: every candidate up to `afterLoan` is written
    /// (nil keeps the recorded position).
    static func recordProgress(watermark: String, afterLoan: Int64?, full: Bool, on tx: PostgresConnection) async throws {
        try await tx.execute("""
            INSERT INTO fineract_sync_state (source, pending_watermark, pending_after_loan, pending_full, updated_at)
            VALUES ($1, $2::timestamptz, $3, $4, now())
            ON CONFLICT (source) DO UPDATE SET pending_watermark = EXCLUDED.pending_watermark,
                pending_after_loan = COALESCE(EXCLUDED.pending_after_loan, fineract_sync_state.pending_after_loan),
                pending_full = EXCLUDED.pending_full, updated_at = now()
            """, [source, watermark, afterLoan, full])
    }

    /// Stores the completed run's watermark and clears the progress, in the caller's transaction.
    static func complete(watermark: String, on tx: PostgresConnection) async throws {
        try await tx.execute("""
            INSERT INTO fineract_sync_state (source, watermark, updated_at) VALUES ($1, $2::timestamptz, now())
            ON CONFLICT (source) DO UPDATE SET watermark = EXCLUDED.watermark, pending_watermark = NULL,
                pending_after_loan = NULL, pending_full = FALSE, updated_at = now()
            """, [source, watermark])
    }
}
