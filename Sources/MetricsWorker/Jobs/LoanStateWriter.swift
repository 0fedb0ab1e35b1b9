import AnalyticsCore
import AnalyticsStore

/// Writes the loan engine's state at D into `loan_states` (read through the `loans` view), in one
/// transaction with the run's completion:
///
/// - a `dpd_transitions` row for every loan whose bucket differs from the one stored last time;
/// - only the loans whose values (or source version) changed, found by comparing each row's
///   `state_hash` with the stored one, upserted from a binary COPY stage;
/// - or, on a whole-book pass where at least a fifth of the loans changed (the first run, the
///   first after schema 18), a fresh table written with one binary COPY and swapped in: a million
///   rows take 5-6 s that way with the key and the officer index (`bench-worker.sh --scale`),
///   against tens of seconds of UPDATEs.
///
/// Each row holds through `valid_through` (`BookConsumer.validThrough`), so a later refresh
/// rewrites only the rows that no longer hold (`MetricJobs.staleLoansQuery`).
///
/// Every writer takes the same transaction-scoped advisory lock, so a swap never loses a
/// concurrent partition's or `--changed-only` run's rows.
enum LoanStateWriter {

    /// The engine's columns (hashed), in the stored form that does not move with the date
    /// (migration 0018: the `loans` view derives `current_dpd`, `max_dpd_ever`, an open-ended
    /// `days_late` and `loan_risk_score` from them and the date the row holds for).
    static let valueColumns = [
        "arrears_since", "max_dpd_ever", "dpd_bucket", "first_payment_missed", "first_payment_due_date",
        "first_payment_received_date", "principal_outstanding", "interest_outstanding", "fees_outstanding",
        "total_outstanding", "total_principal_paid", "total_interest_paid", "total_fees_paid", "fimr_tagged",
        "early_indicator_tagged", "status_as_of", "days_late", "last_payment_date", "next_payment_due",
    ]

    /// The columns a write sets (computed_at takes its default, now()).
    static let copyColumns = ["loan_id"] + valueColumns + LoanContribution.columns
        + ["officer_id", "officer_primary_channel", "computed_as_of", "valid_through", "refreshed_source_at", "state_hash"]

    /// The advisory lock every writer of `loan_states` holds for its transaction.
    static let writerLockKey: Int64 = 0x4C6F_616E_5374_6174 // "LoanStat"

    /// The date the stored states are as of (`loan_states_date`, written with every state write),
    /// nil before the first. States only move forward: a run for an earlier date (a backfill)
    /// writes that date's officer, branch and snapshot rows and leaves the states alone, so the
    /// drilldowns keep describing the latest date.
    static func statesDate(on connection: PostgresConnection) async throws -> CalendarDate? {
        try await connection.query("SELECT as_of FROM loan_states_date").first?.decode(CalendarDate.self, "as_of")
    }

    /// True when every loan's state was refreshed for `date`: a whole-book `refresh_loans` run of
    /// `date` completed, or every partition K/N of some N did. Until then the daemon covers a
    /// change of `date` with a full refresh, and the merge of the partitions sums their own sums.
    static func statesComplete(for date: CalendarDate, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("""
            SELECT EXISTS (
                SELECT 1 FROM (
                    SELECT DISTINCT partition_key FROM metric_calculation_log
                    WHERE calculation_type = 'refresh_loans' AND status = 'Completed' AND calculation_date = $1
                ) p
                GROUP BY split_part(partition_key, '/', 2)
                HAVING count(*) = max(split_part(partition_key, '/', 2)::int)
            ) AS complete
            """, [date])[0].decode(Bool.self, "complete")
    }

    /// `loan_states`' fillfactor (migration 0018): room on each page for the next days' updates
    /// of its rows, which then stay on the page (heap-only, no index entry): 125,000 upserts at a
    /// million loans took 0.8 s so against 1.6 s on full pages.
    static let fillfactor = 85

    /// A fraction of changed loans from which a whole-book pass rewrites the table.
    static let replaceFraction = 0.2

    static let createStage = """
        CREATE TEMP TABLE IF NOT EXISTS stage_loan_states (LIKE loan_states INCLUDING DEFAULTS) ON COMMIT DELETE ROWS
        """

    /// Encodes the engine's columns of a loan, then its contribution to its officer's sums (all
    /// NULL when the loan does not exist at D): `valueColumns + LoanContribution.columns`.
    static func encodeState(_ loan: BookConsumer.LoanRow, into e: inout PostgresBinaryRowEncoder) {
        encodeSnapshot(loan, into: &e)
        LoanContribution.encode(loan.contribution, exists: loan.snapshot != nil, into: &e)
    }

    /// A loan's state at D in the form `loan_states` keeps it (`valueColumns`): what does not move
    /// with the date. Two dates' states of a loan with the same stored form give the same row.
    struct StoredForm: Equatable {
        var arrearsSince: CalendarDate?
        var settledMaxDpd: Int
        var dpdBucket: DPDBucket
        var firstPaymentMissed: Bool
        var firstPaymentDueDate: CalendarDate?
        var firstPaymentReceivedDate: CalendarDate?
        var principalOutstanding: Money
        var interestOutstanding: Money
        var feesOutstanding: Money
        var totalPrincipalPaid: Money
        var totalInterestPaid: Money
        var totalFeesPaid: Money
        var earlyIndicatorTagged: Bool
        var status: LoanStatus
        /// `days_late`, or 0 while open-ended (the first installment missed and still unpaid: the
        /// view's date minus the due date).
        var fixedDaysLate: Int
        var lastPaymentDate: CalendarDate?
        var nextPaymentDue: CalendarDate?

        init(_ s: LoanSnapshot) {
            arrearsSince = s.arrearsSince
            settledMaxDpd = s.settledMaxDpd
            dpdBucket = s.dpdBucket
            firstPaymentMissed = s.firstPaymentMissed
            firstPaymentDueDate = s.firstPaymentDueDate
            firstPaymentReceivedDate = s.firstPaymentReceivedDate
            principalOutstanding = s.principalOutstanding
            interestOutstanding = s.interestOutstanding
            feesOutstanding = s.feesOutstanding
            totalPrincipalPaid = s.totalPrincipalPaid
            totalInterestPaid = s.totalInterestPaid
            totalFeesPaid = s.totalFeesPaid
            earlyIndicatorTagged = s.earlyIndicatorTagged
            status = s.statusAsOf
            fixedDaysLate = s.firstPaymentMissed && s.firstPaymentReceivedDate == nil ? 0 : s.daysLate
            lastPaymentDate = s.lastPaymentDate
            nextPaymentDue = s.nextPaymentDue
        }
    }

    private static func encodeSnapshot(_ loan: BookConsumer.LoanRow, into e: inout PostgresBinaryRowEncoder) {
        guard let snapshot = loan.snapshot else {
            for _ in valueColumns { e.null() }
            return
        }
        let s = StoredForm(snapshot)
        e.date(s.arrearsSince)
        e.int32(value: Int32(clamping: s.settledMaxDpd))
        e.text(s.dpdBucket.rawValue)
        e.bool(s.firstPaymentMissed)
        e.date(s.firstPaymentDueDate)
        e.date(s.firstPaymentReceivedDate)
        e.money(s.principalOutstanding)
        e.money(s.interestOutstanding)
        e.money(s.feesOutstanding)
        e.money(s.principalOutstanding + s.interestOutstanding + s.feesOutstanding)
        e.money(s.totalPrincipalPaid)
        e.money(s.totalInterestPaid)
        e.money(s.totalFeesPaid)
        e.bool(s.firstPaymentMissed) // fimr_tagged
        e.bool(s.earlyIndicatorTagged)
        e.text(s.status.rawValue)
        e.int32(value: Int32(clamping: s.fixedDaysLate))
        e.date(s.lastPaymentDate)
        e.date(s.nextPaymentDue)
    }

    /// The row's `state_hash`: of the engine's columns, the contribution, its officer and the
    /// officer's primary channel, the date it holds through and the source version (not the date
    /// it was computed for).
    static func hash(_ loan: BookConsumer.LoanRow, scratch: inout PostgresBinaryRowEncoder) -> Int64 {
        scratch.reset()
        encodeState(loan, into: &scratch)
        scratch.text(loan.officerID)
        scratch.text(loan.officerChannel)
        scratch.date(loan.validThrough)
        scratch.int64(value: loan.info.sourceVersion)
        return Int64(bitPattern: FNV1a.hash64(scratch.bytes))
    }

    /// One `copyColumns` row.
    static func encodeRow(_ loan: BookConsumer.LoanRow, date: CalendarDate, hash: Int64, into e: inout PostgresBinaryRowEncoder) {
        e.row(fields: copyColumns.count)
        e.text(loan.loanID)
        encodeState(loan, into: &e)
        e.text(loan.officerID)
        e.text(loan.officerChannel)
        e.date(loan.snapshot == nil ? nil : date)
        e.date(loan.validThrough)
        e.int64(value: loan.info.sourceVersion)
        e.int64(value: hash)
    }

    /// A bucket change since the stored state, as a `dpd_transitions` row (nil when none).
    static func transition(_ loan: BookConsumer.LoanRow) -> (from: String, to: String, balance: Money)? {
        guard let s = loan.snapshot, loan.info.previousAsOf != nil, let from = loan.info.previousBucket,
              from != s.dpdBucket.rawValue else { return nil }
        return (from, s.dpdBucket.rawValue, s.totalOutstanding)
    }

    /// Writes `loans` (their states at `date`) and completes `run` in the same transaction; returns
    /// the number of loans whose stored state changed. `mayReplaceTable` marks a pass over every
    /// loan of the book (not a partition, not `--changed-only`), the only kind that may swap the table.
    /// `thenRead` runs in that transaction after the write, under the writers' lock: what it reads
    /// of `loan_states` is `date`'s, before any writer of a later date can commit.
    static func write(_ loans: [BookConsumer.LoanRow], date: CalendarDate, mayReplaceTable: Bool, run: JobRunner.Run?,
                      on connection: PostgresConnection,
                      thenRead: (PostgresConnection) async throws -> Void = { _ in }) async throws -> JobCounts {
        var hashes: [Int64] = []
        hashes.reserveCapacity(loans.count)
        var changed: [Int] = []
        var scratch = PostgresBinaryRowEncoder()
        for (index, loan) in loans.enumerated() {
            let hash = hash(loan, scratch: &scratch)
            hashes.append(hash)
            if loan.info.previousHash != hash { changed.append(index) }
        }
        let replace = mayReplaceTable && !loans.isEmpty && Double(changed.count) >= replaceFraction * Double(loans.count)
        let log = PhaseLog(job: "refresh_loans")
        log.log("loan_states_compared", ["loans": loans.count, "changed": changed.count, "rewrite_table": replace])
        let counts = JobCounts(processed: loans.count, updated: changed.count, failed: 0)
        if !replace { try await connection.execute(createStage) }
        try await connection.withTransaction { tx in
            try await tx.query("SELECT pg_advisory_xact_lock($1)", [writerLockKey])
            // Under the writers' lock: a run for a later date that committed while this one computed
            // owns the states now.
            if let newer = try await statesDate(on: tx), newer > date {
                throw JobSkipped(message: """
                    the loan states moved on to \(newer) while this run computed \(date) (they keep the latest date); \
                    run it again: a run for an earlier date then writes its officer, branch and snapshot rows only
                    """)
            }
            try await writeTransitions(loans, date: date, on: tx)
            // Last, so the swap's exclusive lock on loan_states is held only until the commit.
            if replace {
                try await replaceTable(loans, hashes: hashes, date: date, on: tx)
            } else if !changed.isEmpty {
                try await upsert(changed.lazy.map { loans[$0] }, hashes: changed.lazy.map { hashes[$0] }, date: date, on: tx)
            }
            try await tx.execute("""
                INSERT INTO loan_states_date (as_of, written_at) VALUES ($1, now())
                ON CONFLICT (singleton) DO UPDATE SET as_of = EXCLUDED.as_of, written_at = now()
                """, [date])
            try await thenRead(tx)
            try await run?.complete(counts, in: tx)
        }
        if !replace, changed.lazy.filter({ loans[$0].info.previousHash == nil }).count >= 10_000 {
            // Many new rows move the statistics (a swapped-in table got its own before the swap);
            // rows updated in place do not (1.7 s at a million loans, for nothing, on a next day).
            try await connection.execute("ANALYZE loan_states")
        }
        log.log("loan_states_written", ["loans": loans.count, "changed": changed.count])
        return counts
    }

    /// Writes every loan into a new table and swaps it in for `loan_states`, re-pointing the
    /// `loans` view (same columns, same grants) at it.
    private static func replaceTable(_ loans: [BookConsumer.LoanRow], hashes: [Int64], date: CalendarDate,
                                     on tx: PostgresConnection) async throws {
        let view = try await tx.query("SELECT pg_get_viewdef('loans'::regclass) AS def")[0].decode(String.self, "def")
        try await tx.execute("DROP TABLE IF EXISTS loan_states_next")
        try await tx.execute("CREATE TABLE loan_states_next (LIKE loan_states INCLUDING DEFAULTS) WITH (fillfactor = \(fillfactor))")
        // In officer order: an officer's states on a few neighbouring pages, which is what the
        // daemon reads when it sums an officer (LoanContribution.sums).
        var byOfficer: [String: [Int]] = [:]
        for index in loans.indices { byOfficer[loans[index].officerID, default: []].append(index) }
        let order = ByteOrder.sorted(byOfficer.keys).flatMap { byOfficer[$0] ?? [] }
        try await copy(order.lazy.map { loans[$0] }, hashes: order.lazy.map { hashes[$0] }, date: date,
                       into: "loan_states_next", freeze: true, on: tx)
        try await tx.execute("ALTER TABLE loan_states_next ADD CONSTRAINT loan_states_next_pkey PRIMARY KEY (loan_id)")
        try await tx.execute("CREATE INDEX loan_states_next_officer ON loan_states_next (officer_id)")
        try await tx.execute("ANALYZE loan_states_next")
        // From here to the commit readers of `loans` wait: a few catalog changes, no data.
        try await tx.execute("ALTER TABLE loan_states RENAME TO loan_states_old")
        try await tx.execute("ALTER TABLE loan_states_next RENAME TO loan_states")
        // The definition names loan_states, which is now the new table. (Not a value: the
        // database's own text of the view, so it cannot be a bound parameter.)
        try await tx.executeScript("CREATE OR REPLACE VIEW loans AS " + view)
        try await tx.execute("DROP TABLE loan_states_old")
        try await tx.execute("ALTER TABLE loan_states RENAME CONSTRAINT loan_states_next_pkey TO loan_states_pkey")
        try await tx.execute("ALTER INDEX loan_states_next_officer RENAME TO idx_loan_states_officer")
    }

    /// Upserts the changed loans from a stage table.
    private static func upsert(_ loans: some Collection<BookConsumer.LoanRow>, hashes: some Collection<Int64>, date: CalendarDate,
                               on tx: PostgresConnection) async throws {
        try await copy(loans, hashes: hashes, date: date, into: "stage_loan_states", freeze: false, on: tx)
        let list = copyColumns.joined(separator: ", ")
        let assignments = (copyColumns.dropFirst().map { "\($0) = EXCLUDED.\($0)" } + ["computed_at = now()"])
            .joined(separator: ", ")
        try await tx.execute("""
            INSERT INTO loan_states (\(list)) SELECT \(list) FROM stage_loan_states
            ON CONFLICT (loan_id) DO UPDATE SET \(assignments)
            """)
        try await tx.execute("TRUNCATE stage_loan_states")
    }

    private static func copy(_ loans: some Collection<BookConsumer.LoanRow>, hashes: some Collection<Int64>, date: CalendarDate,
                             into table: String, freeze: Bool, on tx: PostgresConnection) async throws {
        let options = freeze ? "FORMAT binary, FREEZE" : "FORMAT binary"
        try await tx.copyIn("COPY \(table) (\(copyColumns.joined(separator: ", "))) FROM STDIN (\(options))") { writer in
            writer.appendRaw(PostgresBinaryCopy.header)
            for (loan, hash) in zip(loans, hashes) {
                writer.appendBinary { encodeRow(loan, date: date, hash: hash, into: &$0) }
                try await writer.flushIfNeeded()
            }
            writer.appendRaw(PostgresBinaryCopy.trailer)
        }
    }

    private static func writeTransitions(_ loans: [BookConsumer.LoanRow], date: CalendarDate, on tx: PostgresConnection) async throws {
        let moved = loans.compactMap { loan in transition(loan).map { (loan, $0) } }
        guard !moved.isEmpty else { return }
        try await tx.copyIn("""
            COPY dpd_transitions (loan_id, officer_id, transition_date, from_dpd_bucket, to_dpd_bucket, outstanding_balance)
            FROM STDIN (FORMAT binary)
            """) { writer in
            writer.appendRaw(PostgresBinaryCopy.header)
            for (loan, change) in moved {
                writer.appendBinary { e in
                    e.row(fields: 6)
                    e.text(loan.loanID)
                    e.text(loan.officerID)
                    e.date(date)
                    e.text(change.from)
                    e.text(change.to)
                    e.money(change.balance)
                }
                try await writer.flushIfNeeded()
            }
            writer.appendRaw(PostgresBinaryCopy.trailer)
        }
    }
}
