import AnalyticsCore
import AnalyticsStore

/// Writes `par15_snapshots`.
enum Par15SnapshotStore {
    /// Replaces the snapshot rows of `date` for `officers` (nil: all) and completes `run` (when given).
    static func write(_ exposure: [String: BookConsumer.Exposure], date: CalendarDate, officers: [String]?,
                      run: JobRunner.Run?, on connection: PostgresConnection) async throws -> JobCounts {
        try await connection.withTransaction { tx in
            let ids = ByteOrder.sorted(exposure.keys)
            if let officers {
                try await tx.execute("DELETE FROM par15_snapshots WHERE snapshot_date = $1 AND officer_id = ANY($2) AND officer_id <> ALL($3)",
                                     [date, officers, ids])
            } else {
                try await tx.execute("DELETE FROM par15_snapshots WHERE snapshot_date = $1 AND officer_id <> ALL($2)", [date, ids])
            }
            let written = try await tx.execute("""
                INSERT INTO par15_snapshots (snapshot_date, officer_id, par15_exposure, par15_count)
                SELECT $1, e.officer_id, e.amount, e.count FROM unnest($2::text[], $3::numeric[], $4::int[]) AS e(officer_id, amount, count)
                ON CONFLICT (officer_id, snapshot_date) DO UPDATE SET par15_exposure = EXCLUDED.par15_exposure, par15_count = EXCLUDED.par15_count
                WHERE (par15_snapshots.par15_exposure, par15_snapshots.par15_count) IS DISTINCT FROM (EXCLUDED.par15_exposure, EXCLUDED.par15_count)
                """, [date, ids, ids.map { exposure[$0]?.amount ?? .zero }, ids.map { exposure[$0]?.count ?? 0 }])
            let counts = JobCounts(processed: ids.count, updated: written, failed: 0)
            try await run?.complete(counts, in: tx)
            return counts
        }
    }
}
