import AnalyticsCore
import AnalyticsStore

/// The metric jobs. Each takes the context (pool, runner, as-of date, partition) and follows the
/// job rules through `JobRunner`. All computation happens in AnalyticsCore.
enum MetricJobs {
    /// `refresh-loans`: the engine's state at D into `loan_states` (read through the `loans` view).
    /// `changedOnly` restricts it to loans whose source changed since a refresh last saw them, when
    /// the states are already as of D; for any other date every loan is refreshed (ageing moves
    /// them all). A date earlier than the states' is skipped (exit 75): states keep the latest date.
    static func refreshLoans(_ context: JobContext, changedOnly: Bool) async throws -> JobCounts {
        let statesDate = try await statesDate(context)
        if let statesDate, statesDate > context.asOf {
            throw JobSkipped(message: """
                the loan states are as of \(statesDate), later than \(context.asOf), and keep the latest date; \
                to backfill \(context.asOf) run calculate-officer-metrics or full-refresh for it (officer, branch \
                and snapshot rows only)
                """)
        }
        var onlyChanged = changedOnly && statesDate == context.asOf
        if onlyChanged {
            onlyChanged = try await context.pool.withConnection { try await LoanStateWriter.statesComplete(for: context.asOf, on: $0) }
        }
        if changedOnly, !onlyChanged {
            PhaseLog(job: "refresh_loans").log("changed_only_widened", [
                "reason": "loan states are not all as of \(context.asOf) (they are as of \(statesDate.map { "\($0)" } ?? "no date yet"), or a partition of \(context.asOf) has not run): every loan is refreshed",
            ])
        }
        let counts = try await context.runner.run("refresh_loans", date: context.asOf, partition: context.partition, invalidatesCache: true) { run in
            try await context.pool.withConnection { connection in
                let officers = try await context.officers(on: connection)
                let filter = onlyChanged ? changedLoansQuery : nil
                let (book, _) = try await context.pass(on: connection, loanStates: true, officerSums: false, exposure: false,
                                                      officers: officers, loanFilter: filter)
                return try await LoanStateWriter.write(book.loans, date: context.asOf, mayReplaceTable: !onlyChanged && context.partition.isWhole,
                                                      run: run, on: connection)
            }
        }
        return counts.described("\(counts.processed) loans refreshed\(onlyChanged ? " (changed input only)" : ""), \(counts.updated) with a changed state")
    }

    /// The date the stored loan states are as of (`LoanStateWriter.statesDate`).
    static func statesDate(_ context: JobContext) async throws -> CalendarDate? {
        try await context.pool.withConnection { try await LoanStateWriter.statesDate(on: $0) }
    }

    /// Loans whose source changed after the refresh that last processed them (or never processed).
    static let changedLoansQuery = """
        SELECT a.loan_id FROM loan_accounts a JOIN loan_sources v ON v.loan_id = a.loan_id
        LEFT JOIN loan_states s ON s.loan_id = a.loan_id
        WHERE s.refreshed_source_at IS DISTINCT FROM v.source_changed_at AND $1::date IS NOT NULL
        """

    /// `calculate-officer-metrics`: the officer rows of D, then the global rank once every
    /// partition of D is complete.
    static func officerMetrics(_ context: JobContext) async throws -> JobCounts {
        let counts = try await context.runner.run("officer_metrics", date: context.asOf, partition: context.partition, invalidatesCache: true) { run in
            try await context.pool.withConnection { connection in
                let officers = try await context.officers(on: connection)
                let (book, scope) = try await context.pass(on: connection, loanStates: false, officerSums: true, exposure: false, officers: officers)
                let rows = try await context.officerRows(from: book.sums, officers: officers, on: connection)
                return try await OfficerMetricsStore.write(rows, date: context.asOf, officers: scope, run: run, on: connection)
            }
        }
        try await rerankIfComplete(context)
        return counts.described("\(counts.processed) officer rows, \(counts.updated) of them changed")
    }

    /// Re-ranks D globally when all its partitions are done (partitioned runs rank only their own).
    static func rerankIfComplete(_ context: JobContext) async throws {
        guard !context.partition.isWhole else { return }
        try await context.pool.withConnection { connection in
            guard try await OfficerMetricsStore.isComplete(date: context.asOf, on: connection) else { return }
            let key = JobRunner.lockKey(job: "rank", date: context.asOf, partition: .all)
            try await connection.query("SELECT pg_advisory_lock($1)", [key])
            do {
                try await OfficerMetricsStore.rerank(date: context.asOf, on: connection)
                try await connection.query("SELECT pg_advisory_unlock($1)", [key])
            } catch {
                await connection.releaseAdvisoryLockOrDiscard(key)
                throw error
            }
        }
        await context.runner.invalidate(log: PhaseLog(job: "officer_metrics"))
    }

    /// `calculate-branch-metrics`: branch rows of D aggregated from the officer rows of D; refuses
    /// (exit 75) while any partition of D's officer metrics is missing.
    static func branchMetrics(_ context: JobContext) async throws -> JobCounts {
        try await context.pool.withConnection { connection in
            guard try await OfficerMetricsStore.isComplete(date: context.asOf, on: connection) else {
                throw JobSkipped(message: """
                    officer metrics of \(context.asOf) are missing or incomplete (not every partition has completed); \
                    run calculate-officer-metrics --as-of \(context.asOf) first
                    """)
            }
        }
        let counts = try await context.runner.run("branch_metrics", date: context.asOf, partition: .all, invalidatesCache: true) { run in
            try await context.pool.withConnection { connection in
                let officerRows = try await OfficerMetricsStore.load(date: context.asOf, on: connection)
                let branches = BranchAggregation.aggregate(officerRows)
                return try await BranchMetricsStore.write(branches, date: context.asOf, run: run, on: connection)
            }
        }
        return counts.described("\(counts.processed) branch rows, \(counts.updated) of them changed")
    }

    /// `capture-par15-snapshot`: PAR15 exposure and count per officer at D.
    static func par15Snapshot(_ context: JobContext) async throws -> JobCounts {
        let counts = try await context.runner.run("par15_snapshot", date: context.asOf, partition: context.partition, invalidatesCache: true) { run in
            try await context.pool.withConnection { connection in
                let officers = try await context.officers(on: connection)
                let (book, scope) = try await context.pass(on: connection, loanStates: false, officerSums: false, exposure: true, officers: officers)
                return try await Par15SnapshotStore.write(book.exposure, date: context.asOf, officers: scope, run: run, on: connection)
            }
        }
        return counts.described("PAR15 exposure of \(counts.processed) officers")
    }
}
