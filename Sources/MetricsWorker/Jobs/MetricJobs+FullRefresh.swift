import AnalyticsCore
import AnalyticsStore

extension MetricJobs {
    /// `full-refresh`: refresh-loans and officer metrics from one pass over the loans, the PAR15
    /// snapshot when D is the 15th, then branch metrics. Once the states exist, a run reads only
    /// the loans whose stored state does not hold at D (`rereadsStaleOnly`) and sums the officers
    /// from the stored contributions. With `--partition K/N` the pass covers 1/N
    /// of the loans and writes the partition's partial officer sums; the partition that finds all
    /// N of D completed adds them up into D's officer rows (and snapshot), then writes the branch
    /// rows (under locks: see `mergePartitions`).
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
        var loanCounts = JobCounts()
        var staleOnly = false
        let counts = try await runner.run("full_refresh", date: date, partition: partition, invalidatesCache: true) { _ in
            var metricCounts = JobCounts()
            loanCounts = try await withStatesRun(writesStates, context) { loanRun in
                var loans = JobCounts()
                metricCounts = try await runner.run(officerJob(partition), date: date, partition: partition,
                                                    invalidatesCache: partition.isWhole) { metricsRun in
                    try await context.pool.withConnection { connection in
                        let officers = try await context.officers(on: connection)
                        if let loanRun, try await rereadsStaleOnly(context, on: connection) {
                            staleOnly = true
                            // The loans (of the partition) whose row does not hold at D, re-read and
                            // written; then every officer summed from the stored contributions (of
                            // the partition's loans: its partial sums), all D's now.
                            let book = try await context.pass(on: connection, loanStates: true, officerSums: false,
                                                              exposure: false, officers: officers, selected: true)
                            // The sums in the write's transaction, under the writers' lock: all D's,
                            // never a later date's rows that a concurrent run could commit.
                            let source = partition.isWhole ? "loan_states" : "loan_states s WHERE " + LoanStream.inPartition("s")
                            var sums = PortfolioAccumulator()
                            loans = try await LoanStateWriter.write(book.loans, date: date, mayReplaceTable: false,
                                                                    run: loanRun, on: connection) { tx in
                                sums = try await LoanContribution.sums(from: source, [], on: tx)
                            }
                            if midMonth, partition.isWhole { exposure = sums.byOfficer.compactMapValues(BookConsumer.Exposure.init(sums:)) }
                            return try await writeOfficerSums(sums, context, officers: officers, run: metricsRun, on: connection)
                        }
                        let book = try await context.pass(on: connection, loanStates: loanRun != nil, officerSums: true,
                                                          exposure: midMonth && partition.isWhole, officers: officers)
                        exposure = book.exposure
                        if let loanRun {
                            loans = try await LoanStateWriter.write(book.loans, date: date, mayReplaceTable: partition.isWhole,
                                                                    run: loanRun, on: connection)
                        }
                        return try await writeOfficerSums(book.sums, context, officers: officers, run: metricsRun, on: connection)
                    }
                }
                return loans
            }
            var merged: (officers: JobCounts, branches: JobCounts)?
            if partition.isWhole {
                if midMonth {
                    _ = try await runner.run("par15_snapshot", date: date, partition: partition, invalidatesCache: true) { run in
                        try await context.pool.withConnection { connection in
                            try await Par15SnapshotStore.write(exposure, date: date, officers: nil, run: run, on: connection)
                        }
                    }
                }
                merged = (metricCounts, try await branchMetrics(context))
            } else {
                merged = try await mergePartitions(context, officerRows: true, snapshot: midMonth, branches: true)
            }
            let loans = writesStates
                ? "\(loanCounts.processed) loans refreshed\(staleOnly ? " (those whose stored state no longer held)" : ""), \(loanCounts.updated) with a changed state"
                : "loan states kept (they are as of a later date)"
            let officerRows = partition.isWhole ? "\(metricCounts.processed) officer rows"
                : "partial sums of \(metricCounts.processed) officers"
                    + (merged.map { ", \($0.officers.processed) officer rows (every partition of \(date) complete)" } ?? "")
            let branches = merged.map { "\($0.branches.processed) branch rows" } ?? "officer and branch rows left to the last partition"
            return JobCounts(processed: loanCounts.processed,
                             updated: loanCounts.updated + metricCounts.updated
                                + (partition.isWhole ? 0 : merged?.officers.updated ?? 0) + (merged?.branches.updated ?? 0), failed: 0)
                .described("\(loans); \(officerRows); \(branches)")
        }
        return counts
    }

    /// True when a refresh of D re-reads only the loans whose stored row does not hold at D
    /// (selected into `job_loans`; a partition's pass then takes its own among them): the states
    /// exist, carry their contributions, and fewer than a fifth of the book's loans are stale (a
    /// partition's share is the same in expectation: the hash spreads them evenly). The other
    /// rows are D's already (`staleLoansQuery`), so D's officer sums come from the stored
    /// contributions, as the daemon's do.
    private static func rereadsStaleOnly(_ context: JobContext, on connection: PostgresConnection) async throws -> Bool {
        guard try await LoanStateWriter.statesDate(on: connection) != nil,
              try await LoanContribution.contributionsComplete(on: connection) else { return false }
        return try await selectStale(context, on: connection)
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
    /// copies it. Then deletes the partitions' partial officer sums older than that (derived: the
    /// officer rows hold their total), and expired idempotency keys (not archived: their stored
    /// responses hold customer names and phone numbers, and the API no longer replays them).
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
            // Partitions' partial officer sums are derived (the officer rows hold their total).
            let partials = try await context.pool.withConnection {
                try await $0.execute("DELETE FROM officer_partial_sums WHERE calculation_date < $1", [cutoff])
            }
            return JobCounts(processed: moved + expired + partials, updated: moved + expired + partials, failed: 0)
                .described("""
                    \(moved) rows older than \(cutoff) moved to the archive tables, \(partials) partitions' partial officer sums \
                    deleted, \(expired) expired idempotency keys deleted
                    """)
        }
    }

    /// Deletes the `api_idempotency_keys` rows past their `expires_at` (set by the API from
    /// `IDEMPOTENCY_KEY_TTL_HOURS`, so the worker needs no setting of its own); returns how many.
    static func deleteExpiredIdempotencyKeys(_ pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { try await $0.execute("DELETE FROM api_idempotency_keys WHERE expires_at <= now()") }
    }
}
