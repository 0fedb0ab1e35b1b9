import AnalyticsCore
import AnalyticsStore
import Foundation

/// What the schedule needs to know about past runs (`metric_calculation_log`).
protocol ScheduleHistory: Sendable {
    /// True when a run of `calculationType` for `date` that started at or after `since` has completed.
    func completedRun(of calculationType: String, date: CalendarDate, since: Date) async throws -> Bool

    /// Marks Failed the runs of `calculationTypes` for `date` that started at or after `since` and
    /// are still Running, with `reason`; returns how many. For a job this process cancelled (its
    /// lock, still held by this process, guarantees no other process runs them).
    func markInterrupted(_ calculationTypes: [String], date: CalendarDate, since: Date, reason: String) async throws -> Int
}

/// `ScheduleHistory` over the database.
struct PostgresScheduleHistory: ScheduleHistory {
    let pool: PostgresPool

    func completedRun(of calculationType: String, date: CalendarDate, since: Date) async throws -> Bool {
        try await pool.query("""
            SELECT EXISTS (SELECT 1 FROM metric_calculation_log
                           WHERE calculation_type = $1 AND calculation_date = $2 AND status = 'Completed'
                             AND start_time >= to_timestamp($3)) AS done
            """, [calculationType, date, since.timeIntervalSince1970])[0].decode(Bool.self, "done")
    }

    func markInterrupted(_ calculationTypes: [String], date: CalendarDate, since: Date, reason: String) async throws -> Int {
        var marked = 0
        for type in calculationTypes {
            marked += try await pool.withConnection { connection in
                try await connection.execute("""
                    UPDATE metric_calculation_log SET status = 'Failed', end_time = now(), error_message = $4,
                           duration_seconds = extract(epoch FROM now() - start_time)
                    WHERE calculation_type = $1 AND calculation_date = $2 AND partition_key = $5 AND status = 'Running'
                      AND start_time >= to_timestamp($3)
                    """, [type, date, since.timeIntervalSince1970, reason, Partition.all.description])
            }
        }
        return marked
    }
}
