import AnalyticsCore
import AnalyticsStore
import Foundation

/// The `metric_calculation_log` row of a `consume-fineract-events` run (`consume-fineract-events`):
/// Running while it consumes, then Completed with its counts (processed: messages consumed,
/// updated: messages applied, failed: parked) or Failed with the error. Not a locked job: the
/// consumer writes through the ingest path like `ingest`, and several consumers of one queue may run.
struct FineractEventRunLog: Sendable {
    static let type = "consume-fineract-events"
    let logID: Int64
    let started: ContinuousClock.Instant

    static func start(date: CalendarDate, on pool: PostgresPool) async throws -> FineractEventRunLog {
        let id = try await pool.query("""
            INSERT INTO metric_calculation_log (calculation_type, calculation_date, partition_key, status)
            VALUES ($1, $2, '0/1', 'Running') RETURNING log_id
            """, [type, date])[0].decode(Int64.self, "log_id")
        return FineractEventRunLog(logID: id, started: .now)
    }

    func complete(_ totals: FineractEventStats.Totals, on pool: PostgresPool) async throws {
        try await pool.query("""
            UPDATE metric_calculation_log SET status = 'Completed', end_time = now(), duration_seconds = $2,
                   records_processed = $3, records_updated = $4, records_failed = $5
            WHERE log_id = $1
            """, [logID, seconds, totals.consumed, totals.applied, totals.parked + totals.rejected])
    }

    /// Marks the run Failed; a database that is gone leaves the row Running (as the jobs do).
    func fail(_ error: any Error, totals: FineractEventStats.Totals, on pool: PostgresPool) async {
        let message = (error as? PostgresError)?.message ?? String(describing: error)
        _ = try? await pool.query("""
            UPDATE metric_calculation_log SET status = 'Failed', end_time = now(), duration_seconds = $2,
                   records_processed = $3, records_updated = $4, records_failed = $5, error_message = $6
            WHERE log_id = $1
            """, [logID, seconds, totals.consumed, totals.applied, totals.parked + totals.rejected, message])
    }

    private var seconds: String {
        let elapsed = ContinuousClock.now - started
        return String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
