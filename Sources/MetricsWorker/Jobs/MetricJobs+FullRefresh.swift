import AnalyticsCore
import AnalyticsStore

extension MetricJobs {
    /// `full-refresh`: refresh-loans and officer metrics from one pass over the loans, the PAR15
    /// snapshot when D is the 15th, then branch metrics: with `--partition K/N` only once every
    /// partition of D is complete (the last one to finish does it, under the branch job's lock).
    /// For a date earlier than the loan states' (a backfill) the states are left alone: only D's
    /// officer, snapshot and branch rows are written.
    static func fullRefresh(_ context: JobContext) async throws -> JobCounts {
        let runner = context.runner
        let date = context.asOf
        let partition = context.partition
        let midMonth = date.day == 15
        let writesStates = try await statesDate(context).map { $0 <= date } ?? true
        if !writesStates {
            PhaseLog(job: "full_refresh").log("loan_states_kept", ["reason": "the loan states are as of a later date than \(date)"])
        }
        var exposure: [String: BookConsumer.Exposure] = [:]
        var scope: [String]?
        var loanCounts = JobCounts()
        let counts = try await runner.run("full_refresh", date: date, partition: partition, invalidatesCache: true) { _ in
            var metricCounts = JobCounts()
            loanCounts = try await withStatesRun(writesStates, context) { loanRun in
                var loans = JobCounts()
                metricCounts = try await runner.run("officer_metrics", date: date, partition: partition, invalidatesCache: true) { metricsRun in
                    try await context.pool.withConnection { connection in
                        let officers = try await context.officers(on: connection)
                        let (book, officersInScope) = try await context.pass(
                            on: connection, loanStates: loanRun != nil, officerSums: true, exposure: midMonth, officers: officers)
                        exposure = book.exposure
                        scope = officersInScope
                        if let loanRun {
                            loans = try await LoanStateWriter.write(book.loans, date: date, mayReplaceTable: partition.isWhole,
                                                                    run: loanRun, on: connection)
                        }
                        let rows = try await context.officerRows(from: book.sums, officers: officers, on: connection)
                        return try await OfficerMetricsStore.write(rows, date: date, officers: officersInScope, run: metricsRun, on: connection)
                    }
                }
                return loans
            }
            try await rerankIfComplete(context)
            if midMonth {
                _ = try await runner.run("par15_snapshot", date: date, partition: partition, invalidatesCache: true) { run in
                    try await context.pool.withConnection { connection in
                        try await Par15SnapshotStore.write(exposure, date: date, officers: scope, run: run, on: connection)
                    }
                }
            }
            var branchCounts = JobCounts()
            do {
                branchCounts = try await branchMetrics(JobContext(pool: context.pool, runner: runner, asOf: date,
                                                                  partition: .all, options: context.options))
            } catch let skipped as JobSkipped where !partition.isWhole {
                // Another partition is still running (or doing the branch step): it will do it.
                PhaseLog(job: "full_refresh").log("branch_metrics_deferred", ["reason": skipped.message])
            }
            let loans = writesStates
                ? "\(loanCounts.processed) loans refreshed, \(loanCounts.updated) with a changed state"
                : "loan states kept (they are as of a later date)"
            let branches = partition.isWhole || branchCounts.processed > 0 ? "\(branchCounts.processed) branch rows" : "branch rows left to the last partition"
            return JobCounts(processed: loanCounts.processed,
                             updated: loanCounts.updated + metricCounts.updated + branchCounts.updated, failed: 0)
                .described("\(loans); \(metricCounts.processed) officer rows; \(branches)")
        }
        return counts
    }

    /// Runs `body` inside a `refresh_loans` run when the states are written, else with no run (and
    /// no log row: the states' date is the newest completed `refresh_loans` run's).
    private static func withStatesRun(_ writesStates: Bool, _ context: JobContext,
                                      _ body: (JobRunner.Run?) async throws -> JobCounts) async throws -> JobCounts {
        guard writesStates else { return try await body(nil) }
        return try await context.runner.run("refresh_loans", date: context.asOf, partition: context.partition,
                                            invalidatesCache: true) { try await body($0) }
    }

    /// `archive-old-data`: moves rows older than D - `keepDays` of the metric tables into their
    /// `*_archive` tables, one transaction per table; a row is deleted only by the statement that
    /// copies it. Then deletes expired idempotency keys (not archived: their stored responses hold
    /// customer names and phone numbers, and the API no longer replays them).
    static func archive(_ context: JobContext, keepDays: Int) async throws -> JobCounts {
        let cutoff = context.asOf.adding(days: -keepDays)
        return try await context.runner.run("archive", date: context.asOf, partition: .all, invalidatesCache: false) { run in
            var moved = 0
            for (table, column) in [("officer_metrics_daily", "calculation_date"), ("branch_metrics_daily", "calculation_date"),
                                    ("dpd_transitions", "transition_date"), ("metric_calculation_log", "calculation_date")] {
                moved += try await context.pool.withTransaction { tx in
                    // The job's own log row (dated D) is never older than the cutoff.
                    try await tx.execute("""
                        WITH moved AS (DELETE FROM \(table) WHERE \(column) < $1 RETURNING *)
                        INSERT INTO \(table)_archive SELECT * FROM moved
                        """, [cutoff])
                }
            }
            let expired = try await deleteExpiredIdempotencyKeys(context.pool)
            return JobCounts(processed: moved + expired, updated: moved + expired, failed: 0)
                .described("\(moved) rows older than \(cutoff) moved to the archive tables, \(expired) expired idempotency keys deleted")
        }
    }

    /// Deletes the `api_idempotency_keys` rows past their `expires_at` (set by the API from
    /// `IDEMPOTENCY_KEY_TTL_HOURS`, so the worker needs no setting of its own); returns how many.
    static func deleteExpiredIdempotencyKeys(_ pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { try await $0.execute("DELETE FROM api_idempotency_keys WHERE expires_at <= now()") }
    }
}
