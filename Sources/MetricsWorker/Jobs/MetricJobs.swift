import AnalyticsCore
import AnalyticsStore

/// The metric jobs. Each takes the context (pool, runner, as-of date, partition) and follows the
/// job rules through `JobRunner`. All computation happens in AnalyticsCore.
enum MetricJobs {
    /// `refresh-loans`: the engine's state at D into `loan_states` (read through the `loans` view).
    /// `changedOnly` restricts it to the loans whose stored row does not hold at D (`staleLoans`):
    /// their input changed, or their row was valid only through an earlier date; every other
    /// row already is D's. A date earlier than the states' is skipped (exit 75): states keep the
    /// latest date.
    static func refreshLoans(_ context: JobContext, changedOnly: Bool) async throws -> JobCounts {
        let statesDate = try await statesDate(context)
        if let statesDate, statesDate > context.asOf {
            throw JobSkipped(message: """
                the loan states are as of \(statesDate), later than \(context.asOf), and keep the latest date; \
                to backfill \(context.asOf) run calculate-officer-metrics or full-refresh for it (officer, branch \
                and snapshot rows only)
                """)
        }
        if changedOnly, statesDate == nil {
            PhaseLog(job: "refresh_loans").log("changed_only_widened", ["reason": "no loan states yet: every loan is refreshed"])
        }
        var onlyChanged = false
        let counts = try await context.runner.run("refresh_loans", date: context.asOf, partition: context.partition, invalidatesCache: true) { run in
            try await context.pool.withConnection { connection in
                let officers = try await context.officers(on: connection)
                if changedOnly, statesDate != nil {
                    onlyChanged = try await selectStale(context, on: connection)
                }
                let book = try await context.pass(on: connection, loanStates: true, officerSums: false, exposure: false,
                                                  officers: officers, selected: onlyChanged)
                return try await LoanStateWriter.write(book.loans, date: context.asOf, mayReplaceTable: !onlyChanged && context.partition.isWhole,
                                                      run: run, on: connection)
            }
        }
        return counts.described("\(counts.processed) loans refreshed\(onlyChanged ? " (those whose stored state no longer held)" : ""), \(counts.updated) with a changed state")
    }

    /// The date the stored loan states are as of (`LoanStateWriter.statesDate`).
    static func statesDate(_ context: JobContext) async throws -> CalendarDate? {
        try await context.pool.withConnection { try await LoanStateWriter.statesDate(on: $0) }
    }

    /// The loans whose stored row does not hold at D (`$1`), so a refresh of D re-reads them:
    /// never refreshed; their input changed after the refresh that last processed them (the
    /// version in `loan_sources` moves with every change of the loan row, its officer included,
    /// its schedule or its repayments); their row valid only through an earlier date than D (or
    /// written before schema 18, without one); or their officer's primary channel not the one the
    /// row was computed with (the channel is part of every one of the officer's loans'
    /// contributions). Every other loan's row is D's row already: it holds from the date it was
    /// computed for through `valid_through` (`BookConsumer.validThrough`). One join of two
    /// loan-keyed tables (1.7 s at a million loans; with `loan_accounts` as well, 3.4 s).
    static let staleLoansQuery = """
        SELECT v.loan_id FROM loan_sources v
        LEFT JOIN loan_states s ON s.loan_id = v.loan_id
        LEFT JOIN officers o ON o.officer_id = s.officer_id
        WHERE s.loan_id IS NULL OR s.refreshed_source_at IS DISTINCT FROM v.source_changed_at
           OR s.valid_through IS NULL OR s.valid_through < $1::date
           OR s.officer_primary_channel IS DISTINCT FROM o.primary_channel
        """

    /// Selects the loans (of the partition) whose stored row does not hold at D (`job_loans`) and
    /// returns true when a pass over them alone is the way to refresh D. It returns false, for a
    /// pass over every loan (of the partition), when at least `context.wholePassShare` (a fifth)
    /// of them must be re-read: such a pass is cheaper then, and a whole-book one may rewrite the
    /// table (the first run after the upgrade to schema 18, a day after an outage). Also false
    /// when some loan has no version row (`loan_sources`, kept by triggers; only a hand deletion
    /// loses one): the selection starts from the versions.
    static func selectStale(_ context: JobContext, on connection: PostgresConnection) async throws -> Bool {
        let books = try await connection.query("""
            SELECT (SELECT count(*) FROM loan_accounts)::bigint AS loans, (SELECT count(*) FROM loan_sources)::bigint AS versions
            """)[0]
        let loans = try books.decode(Int.self, "loans"), versions = try books.decode(Int.self, "versions")
        let stale = try await context.select(staleLoansQuery, on: connection)
        let share = Double(loans) / Double(context.partition.count)
        let selective = Double(stale) < context.wholePassShare * share && versions == loans
        PhaseLog(job: "refresh_loans").log("stale_loans", [
            "loans": stale, "of": Int(share.rounded()), "reread_alone": selective, "versions_complete": versions == loans,
        ])
        return selective
    }

    /// `calculate-officer-metrics`: the officer rows of D. With `--partition K/N` the partition's
    /// partial sums, and D's rows once every partition of D has completed (`mergePartitions`).
    static func officerMetrics(_ context: JobContext) async throws -> JobCounts {
        let partition = context.partition
        let counts = try await context.runner.run(officerJob(partition), date: context.asOf, partition: partition,
                                                  invalidatesCache: partition.isWhole) { run in
            try await context.pool.withConnection { connection in
                let officers = try await context.officers(on: connection)
                let book = try await context.pass(on: connection, loanStates: false, officerSums: true, exposure: false, officers: officers)
                return try await writeOfficerSums(book.sums, context, officers: officers, run: run, on: connection)
            }
        }
        if partition.isWhole {
            return counts.described("\(counts.processed) officer rows, \(counts.updated) of them changed")
        }
        let merged = try await mergePartitions(context, officerRows: true, snapshot: false)?.officers
        return counts.described("partial sums of \(counts.processed) officers; "
            + (merged.map { "\($0.processed) officer rows of \(context.asOf) (every partition complete), \($0.updated) of them changed" }
                ?? "officer rows left to the last partition"))
    }

    /// The job a run's officer sums are recorded under: `officer_metrics` for a whole run (it
    /// writes the rows), `officer_partials` for a partition (`OfficerPartialSums`).
    static func officerJob(_ partition: Partition) -> String {
        partition.isWhole ? "officer_metrics" : OfficerPartialSums.job
    }

    /// A whole run's officer rows of D (ranked), or a partition's partial sums; completes `run`.
    static func writeOfficerSums(_ sums: PortfolioAccumulator, _ context: JobContext, officers: [Officer], run: JobRunner.Run,
                                 on connection: PostgresConnection) async throws -> JobCounts {
        guard context.partition.isWhole else {
            return try await OfficerPartialSums.write(sums, date: context.asOf, partition: context.partition, run: run, on: connection)
        }
        let rows = try await context.officerRows(from: sums, officers: officers, on: connection)
        return try await OfficerMetricsStore.write(rows, date: context.asOf, officers: nil, run: run, on: connection)
    }

    /// Once every partition of the run's N has completed its sums of D: adds them up and writes
    /// D's officer rows (ranked, as an `officer_metrics` run of the whole date, so the API serves D
    /// from then on), PAR15 snapshot and/or branch rows, as the finishing job asks (each job
    /// merges what it computes: run every partition of a date with the same job); returns the
    /// officer rows' and branch rows' counts (empty when not asked for or left to another run), or
    /// nil while a partition is missing (it does this when it completes).
    ///
    /// The sums come from the stored loan states' contributions when the states are D's, complete
    /// (every partition's states of D written) and current (no change waits in `live_changes`:
    /// every change since was applied to them by the daemon): they are then the partitions' sums
    /// with the daemon's updates since, so a partition run again alone later does not bring back
    /// the other partitions' older sums over those updates. Otherwise (a backfill, changes not yet
    /// applied) from the partitions' partial sums, read from the loans as they are now.
    ///
    /// Under a lock per date, waited for: partitions that complete together merge one after the
    /// other, each reading the sums as they are then, so the last merge has every partition's
    /// latest sums (a re-run of a partition that completes while another merges is not lost).
    static func mergePartitions(_ context: JobContext, officerRows: Bool, snapshot: Bool,
                                branches: Bool = false) async throws -> (officers: JobCounts, branches: JobCounts)? {
        let date = context.asOf
        let partition = context.partition
        let whole = JobContext(pool: context.pool, runner: context.runner, asOf: date, partition: .all, options: context.options)
        let key = JobRunner.lockKey(job: "merge_partitions", date: date, partition: .all)
        return try await context.pool.withConnection { lockConnection in
            try await lockConnection.query("SELECT pg_advisory_lock($1)", [key])
            do {
                let merged = try await mergeLocked(whole, partition: partition, officerRows: officerRows, snapshot: snapshot,
                                                   branches: branches)
                try await lockConnection.query("SELECT pg_advisory_unlock($1)", [key])
                return merged
            } catch {
                await lockConnection.releaseAdvisoryLockOrDiscard(key)
                throw error
            }
        }
    }

    private static func mergeLocked(_ whole: JobContext, partition: Partition, officerRows: Bool, snapshot: Bool,
                                    branches: Bool) async throws -> (officers: JobCounts, branches: JobCounts)? {
        let date = whole.asOf
        let log = PhaseLog(job: "merge_partitions")
        let found = try await whole.pool.withConnection { connection -> (sums: PortfolioAccumulator, source: String)? in
            guard try await OfficerPartialSums.complete(partition, date: date, on: connection) else { return nil }
            if try await LoanStateWriter.statesDate(on: connection) == date,
               try await LoanStateWriter.statesComplete(for: date, on: connection),
               try await LoanContribution.contributionsComplete(on: connection),
               try await LiveUpdate.nothingPending(on: connection) {
                return (try await LoanContribution.sums(from: "loan_states", [], on: connection), "loan_states")
            }
            return (try await OfficerPartialSums.total(partition, date: date, on: connection), "officer_partial_sums")
        }
        guard let (sums, source) = found else {
            log.log("deferred", ["date": date.description,
                                 "reason": "not every partition of \(date) (N = \(partition.count)) has completed its sums"])
            return nil
        }
        log.log("summed", ["date": date.description, "officers": sums.byOfficer.count, "source": source])
        // A step whose lock another run of the whole date holds is left to it: that run computes
        // the date from the loans themselves, after this one's sums were committed.
        func unlessRunning(_ step: String, _ body: () async throws -> JobCounts) async throws -> JobCounts {
            do {
                return try await body()
            } catch let skipped as JobSkipped {
                log.log("step_left_to_another_run", ["date": date.description, "step": step, "reason": skipped.message])
                return JobCounts()
            }
        }
        var counts = JobCounts()
        if officerRows {
            counts = try await unlessRunning("officer_metrics") {
                try await whole.runner.run("officer_metrics", date: date, partition: .all, invalidatesCache: true) { run in
                    try await whole.pool.withConnection { connection in
                        let officers = try await whole.officers(on: connection)
                        return try await writeOfficerSums(sums, whole, officers: officers, run: run, on: connection)
                    }
                }
            }
        }
        if snapshot {
            _ = try await unlessRunning("par15_snapshot") {
                try await whole.runner.run("par15_snapshot", date: date, partition: .all, invalidatesCache: true) { run in
                    try await whole.pool.withConnection { connection in
                        let exposure = sums.byOfficer.compactMapValues(BookConsumer.Exposure.init(sums:))
                        return try await Par15SnapshotStore.write(exposure, date: date, officers: nil, run: run, on: connection)
                    }
                }
            }
        }
        var branchCounts = JobCounts()
        if branches {
            // Also skipped (exit 75 inside) while the officer rows of D are incomplete: their
            // step was left to another run, which a `calculate-branch-metrics` follows.
            branchCounts = try await unlessRunning("branch_metrics") { try await branchMetrics(whole) }
        }
        return (counts, branchCounts)
    }

    /// `calculate-branch-metrics`: branch rows of D aggregated from the officer rows of D; refuses
    /// (exit 75) while D's officer metrics are incomplete (none yet, or a partitioned run's not yet
    /// merged).
    static func branchMetrics(_ context: JobContext) async throws -> JobCounts {
        try await context.pool.withConnection { connection in
            guard try await OfficerMetricsStore.isComplete(date: context.asOf, on: connection) else {
                throw JobSkipped(message: """
                    officer metrics of \(context.asOf) are missing or incomplete (a partitioned run's not yet merged: not every \
                    partition has completed); \
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

    /// `capture-par15-snapshot`: PAR15 exposure and count per officer at D. With `--partition K/N`
    /// the partition's partial sums, and D's snapshot once every partition of D has completed.
    static func par15Snapshot(_ context: JobContext) async throws -> JobCounts {
        let partition = context.partition
        guard !partition.isWhole else {
            let counts = try await context.runner.run("par15_snapshot", date: context.asOf, partition: partition, invalidatesCache: true) { run in
                try await context.pool.withConnection { connection in
                    let officers = try await context.officers(on: connection)
                    let book = try await context.pass(on: connection, loanStates: false, officerSums: false, exposure: true, officers: officers)
                    return try await Par15SnapshotStore.write(book.exposure, date: context.asOf, officers: nil, run: run, on: connection)
                }
            }
            return counts.described("PAR15 exposure of \(counts.processed) officers")
        }
        let counts = try await context.runner.run(OfficerPartialSums.job, date: context.asOf, partition: partition, invalidatesCache: false) { run in
            try await context.pool.withConnection { connection in
                let officers = try await context.officers(on: connection)
                let book = try await context.pass(on: connection, loanStates: false, officerSums: true, exposure: false, officers: officers)
                return try await writeOfficerSums(book.sums, context, officers: officers, run: run, on: connection)
            }
        }
        let merged = try await mergePartitions(context, officerRows: false, snapshot: true)
        return counts.described("partial sums of \(counts.processed) officers; "
            + (merged == nil ? "the snapshot left to the last partition" : "the snapshot of \(context.asOf) written (every partition complete)"))
    }
}
