import AnalyticsCore
import AnalyticsStore

/// Writes the loan engine's state at D into the computed columns of `loans`, in one transaction:
/// a `dpd_transitions` row for every loan whose bucket differs from the one stored last time, then
/// an UPDATE of only the rows whose values changed.
enum LoanStateWriter {
    static let columns = [
        "current_dpd", "max_dpd_ever", "dpd_bucket", "first_payment_missed", "first_payment_due_date",
        "first_payment_received_date", "principal_outstanding", "interest_outstanding", "fees_outstanding",
        "total_outstanding", "total_principal_paid", "total_interest_paid", "total_fees_paid", "fimr_tagged",
        "early_indicator_tagged", "status_as_of", "days_late", "last_payment_date", "next_payment_due", "loan_risk_score",
    ]

    static let createStage = """
        CREATE TEMP TABLE IF NOT EXISTS stage_loan_state (
            loan_id varchar(50) NOT NULL, officer_id varchar(50) NOT NULL,
            current_dpd int, max_dpd_ever int, dpd_bucket varchar(10), first_payment_missed boolean,
            first_payment_due_date date, first_payment_received_date date, principal_outstanding numeric(15,2),
            interest_outstanding numeric(15,2), fees_outstanding numeric(15,2), total_outstanding numeric(15,2),
            total_principal_paid numeric(15,2), total_interest_paid numeric(15,2), total_fees_paid numeric(15,2),
            fimr_tagged boolean, early_indicator_tagged boolean, status_as_of varchar(50), days_late int,
            last_payment_date date, next_payment_due date, loan_risk_score int,
            loan_exists boolean NOT NULL, seen_source_changed_at timestamptz NOT NULL
        ) ON COMMIT DELETE ROWS
        """

    static func row(_ loan: BookConsumer.LoanRow) -> PostgresBindings {
        guard let s = loan.snapshot else {
            return [loan.loanID, loan.officerID] + PostgresBindings(repeating: nil, count: columns.count) + [false, loan.sourceVersion]
        }
        return [loan.loanID, loan.officerID, s.currentDpd, s.maxDpdEver, s.dpdBucket.rawValue, s.firstPaymentMissed,
                s.firstPaymentDueDate, s.firstPaymentReceivedDate, s.principalOutstanding, s.interestOutstanding,
                s.feesOutstanding, s.totalOutstanding, s.totalPrincipalPaid, s.totalInterestPaid, s.totalFeesPaid,
                s.fimrTagged, s.earlyIndicatorTagged, s.statusAsOf.rawValue, s.daysLate, s.lastPaymentDate,
                s.nextPaymentDue, s.riskScore, true, loan.sourceVersion]
    }

    /// Writes `loans` (their states at `date`) and completes `run` in the same transaction.
    /// Returns the number of loan rows that changed. After a large write the table's statistics
    /// are refreshed at once, so the drilldown queries plan with the new values (autovacuum would
    /// get there later).
    /// `wholeBook` marks a pass over every loan (of a partition), as opposed to `--changed-only`,
    /// whose few rows never warrant new statistics.
    static func write(_ loans: [BookConsumer.LoanRow], date: CalendarDate, wholeBook: Bool = true, run: JobRunner.Run,
                      on connection: PostgresConnection) async throws -> JobCounts {
        try await connection.execute(createStage)
        let counts = try await connection.withTransaction { tx in
            try await tx.copyIn("COPY stage_loan_state (loan_id, officer_id, \(columns.joined(separator: ", ")), loan_exists, seen_source_changed_at) FROM STDIN") { writer in
                for loan in loans {
                    writer.append(row: row(loan))
                    try await writer.flushIfNeeded()
                }
            }
            try await tx.execute("""
                INSERT INTO dpd_transitions (loan_id, officer_id, transition_date, from_dpd_bucket, to_dpd_bucket, outstanding_balance)
                SELECT s.loan_id, s.officer_id, $1, l.dpd_bucket, s.dpd_bucket, s.total_outstanding
                FROM stage_loan_state s JOIN loans l ON l.loan_id = s.loan_id
                WHERE s.loan_exists AND l.computed_as_of IS NOT NULL AND l.dpd_bucket <> s.dpd_bucket
                """, [date])
            let assignments = columns.map { "\($0) = s.\($0)" }.joined(separator: ", ")
            let current = columns.map { "l.\($0)" }.joined(separator: ", ")
            let incoming = columns.map { "s.\($0)" }.joined(separator: ", ")
            let updated = try await tx.execute("""
                UPDATE loans l SET \(assignments), computed_as_of = $1, computed_at = now(),
                       refreshed_source_at = s.seen_source_changed_at
                FROM stage_loan_state s
                WHERE l.loan_id = s.loan_id AND s.loan_exists
                  AND ((\(current)) IS DISTINCT FROM (\(incoming)) OR l.computed_as_of IS NULL
                       OR l.refreshed_source_at IS DISTINCT FROM s.seen_source_changed_at)
                """, [date])
            // A loan that does not exist at D keeps its columns; only the marker moves.
            try await tx.execute("""
                UPDATE loans l SET refreshed_source_at = s.seen_source_changed_at FROM stage_loan_state s
                WHERE l.loan_id = s.loan_id AND NOT s.loan_exists AND l.refreshed_source_at IS DISTINCT FROM s.seen_source_changed_at
                """)
            let counts = JobCounts(processed: loans.count, updated: updated, failed: 0)
            try await run.complete(counts, in: tx)
            return counts
        }
        if wholeBook, counts.updated >= 10_000 || counts.updated * 10 >= loans.count {
            try await connection.execute("ANALYZE loans")
        }
        return counts
    }
}
