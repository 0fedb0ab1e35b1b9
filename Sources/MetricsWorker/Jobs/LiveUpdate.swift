import AnalyticsCore
import AnalyticsStore

/// The daemon's incremental recompute (ARCHITECTURE.md "The daemon"): applies the marks that
/// committed ingests left in `live_changes` (migration 0009) to the rows of the business date D.
///
/// One batch: the marked loans (and every loan of an officer whose record changed) are streamed
/// through the same `LoanStream`, `BookConsumer` and `LoanStateWriter` as the jobs (one definition
/// of every rule), which store each loan's state at D and its contribution to its officer's sums.
/// Every touched officer (a loan's current officer, the one a loan left, a changed officer) is
/// then re-summed from the stored contributions of its loans (`LoanContribution`), finalised,
/// ranked among all officers, and the branch rows re-aggregated, so the loans' states, the
/// officers' rows, the global rank and the branch rows end exactly as a full refresh of D would
/// leave them. Only rows that changed are written; the marks read are deleted last, so a batch
/// interrupted at any point leaves them for the next one (every step is idempotent).
///
/// Preconditions: the loan states and the officer metrics of D are complete (a full refresh or
/// every partition of D ran). When they are not (the first change of a new day) or when the
/// backlog is too large to be worth doing loan by loan, the batch runs `full-refresh` for D
/// through the job runner instead, then deletes the marks it covered.
enum LiveUpdate {
    /// What one batch did.
    struct Outcome: Sendable, Equatable {
        enum Kind: String, Sendable {
            /// Nothing was pending.
            case idle
            /// A job held the writers' lock: try again shortly.
            case busy
            /// The marks were applied incrementally.
            case applied
            /// A full refresh of D covered them.
            case fullRefresh = "full_refresh"
        }

        var kind: Kind
        /// Marks consumed.
        var changes = 0
        /// Loans streamed and officers recomputed.
        var loans = 0
        var officers = 0
        /// Officers whose row of D (or its rank) changed, and the branches whose cached rows showed
        /// something that changed: branch rows that changed, the branches of changed officers, of
        /// the marked loans, and those a loan or officer left (what the cache must forget).
        var changedOfficers: [String] = []
        var affectedBranches: [String] = []
    }

    /// Marks read per batch; a larger backlog is covered by a full refresh.
    static let defaultBatchLimit = 50_000

    /// Applies the pending marks to D. `limit` bounds the marks of an incremental batch.
    static func applyPending(_ context: JobContext, limit: Int = defaultBatchLimit) async throws -> Outcome {
        let date = context.asOf
        let started = ContinuousClock.now
        let step = try await context.pool.withConnection { connection -> Step in
            let locked = try await connection.query("SELECT pg_try_advisory_lock($1) AS locked", [JobRunner.writersLockKey])[0]
                .decode(Bool.self, "locked")
            guard locked else { return .busy }
            do {
                let step = try await applyLocked(context, limit: limit, started: started, on: connection)
                try await connection.query("SELECT pg_advisory_unlock($1)", [JobRunner.writersLockKey])
                return step
            } catch {
                await connection.releaseAdvisoryLockOrDiscard(JobRunner.writersLockKey)
                throw error
            }
        }
        switch step {
        case .done(let outcome):
            return outcome
        case .busy:
            return Outcome(kind: .busy)
        case .needsFullRefresh(let ids, let reason):
            PhaseLog(job: "live_update").log("full_refresh_instead", ["date": date.description, "changes": ids.count, "reason": reason])
            // The marks were committed before the refresh starts reading: it covers all of them.
            _ = try await MetricJobs.fullRefresh(context)
            try await deleteMarks(ids, pool: context.pool)
            return Outcome(kind: .fullRefresh, changes: ids.count)
        }
    }

    private enum Step: Sendable {
        case done(Outcome)
        case busy
        case needsFullRefresh([Int64], reason: String)
    }

    /// The batch under the writers' lock (held on `connection`); `started` is when the batch began
    /// waiting for its connection (its log line's `total_ms` counts from there).
    private static func applyLocked(_ context: JobContext, limit: Int, started: ContinuousClock.Instant,
                                    on connection: PostgresConnection) async throws -> Step {
        let date = context.asOf
        var phases = PhaseTimes()
        let marks = try await connection.query("""
            SELECT change_id, loan_id, officer_id, previous_branch FROM live_changes ORDER BY change_id LIMIT $1
            """, [limit + 1])
        guard !marks.isEmpty else { return .done(Outcome(kind: .idle)) }
        if marks.count > limit {
            let all = try await connection.query("SELECT change_id FROM live_changes").map { try $0.decode(Int64.self, "change_id") }
            return .needsFullRefresh(all, reason: "more than \(limit) changes pending")
        }
        var ids: [Int64] = []
        var loanIDs = Set<String>()
        var officerIDs = Set<String>()
        // Officers whose record changed: their primary channel is part of every one of their
        // loans' contributions, so their whole book is re-read.
        var recordOfficers = Set<String>()
        // Branches whose cached rows showed a marked loan or officer (drilldowns filter loans by
        // the loan's own branch, which may differ from its officer's).
        var branches = Set<String>()
        for mark in marks {
            ids.append(try mark.decode(Int64.self, "change_id"))
            let loan = try mark.decode(String?.self, "loan_id")
            if let loan { loanIDs.insert(loan) }
            if let officer = try mark.decode(String?.self, "officer_id") {
                officerIDs.insert(officer)
                if loan == nil { recordOfficers.insert(officer) }
            }
            if let branch = try mark.decode(String?.self, "previous_branch") { branches.insert(branch) }
        }
        if let reason = try await incompleteReason(date, on: connection) {
            return .needsFullRefresh(ids, reason: reason)
        }
        // The loans' current officers, with the marked (previous or changed) officers.
        let current = try await connection.query("""
            SELECT DISTINCT officer_id, branch FROM loan_accounts WHERE loan_id = ANY($1)
            """, [Array(loanIDs)])
        for row in current {
            officerIDs.insert(try row.decode(String.self, "officer_id"))
            branches.insert(try row.decode(String.self, "branch"))
        }
        let touched = ByteOrder.sorted(officerIDs)
        let officers = try await context.officers(on: connection, only: touched)

        // The marked loans (and the books of changed officers) re-evaluated at D, their states
        // and contributions written; then every touched officer re-summed from the stored
        // contributions.
        phases.lap("read")
        let streamed = try await recompute(context, loans: Array(loanIDs), ofOfficers: ByteOrder.sorted(recordOfficers),
                                           officers: officers, on: connection)
        phases.lap("states")
        let sums = try await LoanContribution.sums(ofOfficers: touched, on: connection)
        phases.lap("sums")
        if MetricsWindow(asOf: date).midMonthDate == date {
            let exposure = sums.byOfficer.compactMapValues(BookConsumer.Exposure.init(sums:))
            _ = try await Par15SnapshotStore.write(exposure, date: date, officers: touched, run: nil, on: connection)
        }
        var rows = try await context.officerRows(from: sums, officers: officers, on: connection)
        // One read of the other officers' ranking inputs ranks the whole date: the touched
        // officers' rows are replaced by `rows` (or removed), the others stay as read (the
        // writers' lock is held), so these are the ranks of the rows as written.
        let others = try await OfficerMetricsStore.rankingEntries(date: date, excluding: Set(touched), on: connection)
        let ranks = OfficerRanking.ranks(of: others + rows.map {
            OfficerRanking.Entry(officerId: $0.officerId, riskScore: $0.riskScore, dqi: $0.dqi, activeLoans: $0.activeLoans)
        })
        for index in rows.indices { rows[index].rank = ranks[rows[index].officerId] }
        let officerChanges = try await OfficerMetricsStore.writeChanges(rows, date: date, officers: touched, run: nil, on: connection)
        let reranked = try await OfficerMetricsStore.rerank(date: date, ranks: ranks, on: connection)
        phases.lap("officers")
        // A branch row comes from its own officers' rows only: the branches a touched officer is
        // in now or was in before (a marked officer's previous branch), and the marked loans'
        // branches, are re-aggregated; the others cannot have changed.
        let branchScope = ByteOrder.sorted(branches.union(officers.map(\.branch)))
        let officerRows = try await OfficerMetricsStore.load(date: date, branches: branchScope, on: connection)
        let branchChanges = try await BranchMetricsStore.writeChanges(BranchAggregation.aggregate(officerRows), date: date,
                                                                     branches: branchScope, run: nil, on: connection)
        phases.lap("branches")
        try await deleteMarks(ids, on: connection)

        // Every touched officer counts as changed: the drilldowns filtered to an officer show its
        // loans' states, which may change while the officer's row does not.
        let changedOfficers = Set(officerChanges.changed).union(reranked).union(touched)
        // A branch's cached rows are also stale when its branch row changed or one of its
        // officers' rows changed (a rank that moved included).
        branches.formUnion(branchChanges.changed)
        let changedBranches = try await connection.query("""
            SELECT DISTINCT branch FROM officers WHERE officer_id = ANY($1)
            """, [ByteOrder.sorted(changedOfficers)])
        for row in changedBranches { branches.insert(try row.decode(String.self, "branch")) }
        PhaseLog(job: "live_update").log("applied", [
            "date": date.description, "changes": ids.count, "loans": streamed.loans, "officers": touched.count,
            "officers_reread": recordOfficers.count, "loan_states_changed": streamed.changed, "officer_rows_changed": officerChanges.counts.updated,
            "ranks_changed": reranked.count, "branch_rows_changed": branchChanges.counts.updated,
            "total_ms": PhaseTimes.milliseconds(ContinuousClock.now - started),
        ].merging(phases.fields) { a, _ in a })
        return .done(Outcome(kind: .applied, changes: ids.count, loans: streamed.loans, officers: touched.count,
                             changedOfficers: ByteOrder.sorted(changedOfficers), affectedBranches: ByteOrder.sorted(branches)))
    }

    /// Re-evaluates the loans `loans` and every loan of the officers `officerIDs` at D and writes
    /// their states and contributions; returns how many were read and how many states changed.
    private static func recompute(_ context: JobContext, loans: [String], ofOfficers officerIDs: [String], officers: [Officer],
                                  on connection: PostgresConnection) async throws -> (loans: Int, changed: Int) {
        guard !loans.isEmpty || !officerIDs.isEmpty else { return (0, 0) }
        let book = try await context.pass(on: connection, loans: loans, ofOfficers: officerIDs, officers: officers)
        let written = try await LoanStateWriter.write(book.loans, date: context.asOf, mayReplaceTable: false, run: nil, on: connection)
        return (book.ledgers, written.updated)
    }

    /// Milliseconds per phase of a batch, for its log line (`read_ms`, `states_ms`, ...).
    private struct PhaseTimes {
        private var last = ContinuousClock.now
        private(set) var fields: [String: any Sendable] = [:]

        mutating func lap(_ name: String) {
            let now = ContinuousClock.now
            let elapsed = now - last
            fields[name + "_ms"] = Self.milliseconds(elapsed)
            last = now
        }

        static func milliseconds(_ duration: Duration) -> Int {
            Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
    }

    /// Why D cannot be updated loan by loan (nil when it can): its loan states or its officer
    /// metrics are not complete.
    private static func incompleteReason(_ date: CalendarDate, on connection: PostgresConnection) async throws -> String? {
        let statesDate = try await LoanStateWriter.statesDate(on: connection)
        if let statesDate, statesDate > date {
            // A full refresh of an earlier date leaves the states alone (they keep the latest
            // date): applying the marks to D would consume them without the states ever showing
            // the changes. Keep them for a daemon that follows the states' date.
            throw JobSkipped(message: """
                the loan states are as of \(statesDate), later than the daemon's date \(date): changes are kept in \
                live_changes until a daemon runs for \(statesDate) or later (without --as-of, or --as-of \(statesDate))
                """)
        }
        guard statesDate == date, try await LoanStateWriter.statesComplete(for: date, on: connection) else {
            return "the loan states are as of \(statesDate.map { "\($0)" } ?? "no date"), not all of \(date)"
        }
        guard try await LoanContribution.contributionsComplete(on: connection) else {
            return "the loan states were written before they carried their contributions (schema 11): one full refresh writes them"
        }
        guard try await OfficerMetricsStore.isComplete(date: date, on: connection) else {
            return "the officer metrics of \(date) are not complete"
        }
        guard try await !connection.query("""
            SELECT 1 FROM metric_calculation_log
            WHERE calculation_type = 'branch_metrics' AND calculation_date = $1 AND status = 'Completed' LIMIT 1
            """, [date]).isEmpty else {
            return "the branch metrics of \(date) have not been calculated"
        }
        return nil
    }

    /// Deletes exactly the marks a batch read (a mark committed meanwhile stays for the next).
    private static func deleteMarks(_ ids: [Int64], on connection: PostgresConnection) async throws {
        var start = 0
        while start < ids.count {
            let end = min(start + 100_000, ids.count)
            try await connection.execute("DELETE FROM live_changes WHERE change_id = ANY($1)", [Array(ids[start..<end])])
            start = end
        }
    }

    private static func deleteMarks(_ ids: [Int64], pool: PostgresPool) async throws {
        try await pool.withConnection { try await deleteMarks(ids, on: $0) }
    }

    /// True when no mark waits in `live_changes`: every committed change has been applied to the
    /// loan states (or none came since they were written).
    static func nothingPending(on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("SELECT NOT EXISTS (SELECT 1 FROM live_changes) AS none")[0].decode(Bool.self, "none")
    }

    /// The pending marks: how many, and the age in seconds of the oldest (0 when none).
    static func backlog(_ pool: PostgresPool) async throws -> (depth: Int, oldestAgeSeconds: Double) {
        let row = try await pool.query("""
            SELECT count(*)::bigint AS depth,
                   coalesce(extract(epoch FROM clock_timestamp() - min(recorded_at)), 0)::float8 AS age
            FROM live_changes
            """)[0]
        return (try row.decode(Int.self, "depth"), try row.decode(Double.self, "age"))
    }
}
