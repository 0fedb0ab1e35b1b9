import AnalyticsCore
import AnalyticsStore

/// Writes `branch_metrics_daily`.
enum BranchMetricsStore {
    static let columns = [
        "branch", "region", "calculation_date", "portfolio_total", "active_loans", "total_officers", "overdue_15d",
        "par15_ratio", "ayr", "dqi", "fimr",
    ]

    /// Replaces the branch rows of `date` and completes `run` (when given), in one transaction.
    static func write(_ rows: [BranchMetricsRow], date: CalendarDate, run: JobRunner.Run?,
                      on connection: PostgresConnection) async throws -> JobCounts {
        try await writeChanges(rows, date: date, run: run, on: connection).counts
    }

    /// `write`, returning also the branches whose row was inserted, changed or removed (an
    /// identical row is not written). With `branches`, `rows` are the rows of those branches only
    /// (`BranchAggregation.aggregate(branch:rows:)` of each is independent of the others): a row of
    /// another branch is left alone, and one of those branches without a row any more is removed.
    static func writeChanges(_ rows: [BranchMetricsRow], date: CalendarDate, branches: [String]? = nil, run: JobRunner.Run?,
                             on connection: PostgresConnection) async throws -> (counts: JobCounts, changed: [String]) {
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
            let removed = try await tx.query("""
                DELETE FROM branch_metrics_daily
                WHERE calculation_date = $1 AND branch <> ALL($2) AND ($3::text[] IS NULL OR branch = ANY($3::text[]))
                RETURNING branch
                """, [date, rows.map(\.branch), branches])
            let updatable = columns.filter { $0 != "branch" && $0 != "calculation_date" }
            let assignments = updatable.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
            let current = updatable.map { "t.\($0)" }.joined(separator: ", ")
            let incoming = updatable.map { "EXCLUDED.\($0)" }.joined(separator: ", ")
            let written = try await tx.query("""
                INSERT INTO branch_metrics_daily AS t (\(list)) SELECT \(list) FROM stage_branch_metrics
                ON CONFLICT (branch, calculation_date) DO UPDATE SET \(assignments), calculated_at = now()
                WHERE (\(current)) IS DISTINCT FROM (\(incoming))
                RETURNING t.branch
                """)
            let changed = try (Array(removed) + Array(written)).map { try $0.decode(String.self, "branch") }
            let counts = JobCounts(processed: rows.count, updated: written.count, failed: 0)
            try await run?.complete(counts, in: tx)
            return (counts, changed)
        }
    }
}
