import AnalyticsCore
import AnalyticsStore

/// Writes `branch_metrics_daily`.
enum BranchMetricsStore {
    static let columns = [
        "branch", "region", "calculation_date", "portfolio_total", "active_loans", "total_officers", "overdue_15d",
        "par15_ratio", "ayr", "dqi", "fimr",
    ]

    /// Replaces the branch rows of `date` and completes `run`, in one transaction.
    static func write(_ rows: [BranchMetricsRow], date: CalendarDate, run: JobRunner.Run,
                      on connection: PostgresConnection) async throws -> JobCounts {
        try await connection.execute("""
            CREATE TEMP TABLE IF NOT EXISTS stage_branch_metrics (LIKE branch_metrics_daily INCLUDING DEFAULTS) ON COMMIT DELETE ROWS
            """)
        return try await connection.withTransaction { tx in
            let list = columns.joined(separator: ", ")
            try await tx.copyIn("COPY stage_branch_metrics (\(list)) FROM STDIN") { writer in
                for r in rows {
                    try await writer.write(row: [r.branch, r.region, date, r.portfolioTotal, r.activeLoans, r.totalOfficers,
                                                 r.overdue15d, r.par15Ratio, r.ayr, r.dqi, r.fimr])
                }
            }
            try await tx.execute("DELETE FROM branch_metrics_daily WHERE calculation_date = $1 AND branch <> ALL($2)", [date, rows.map(\.branch)])
            let assignments = columns.filter { $0 != "branch" && $0 != "calculation_date" }.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
            let written = try await tx.execute("""
                INSERT INTO branch_metrics_daily (\(list)) SELECT \(list) FROM stage_branch_metrics
                ON CONFLICT (branch, calculation_date) DO UPDATE SET \(assignments), calculated_at = now()
                """)
            let counts = JobCounts(processed: rows.count, updated: written, failed: 0)
            try await run.complete(counts, in: tx)
            return counts
        }
    }
}
