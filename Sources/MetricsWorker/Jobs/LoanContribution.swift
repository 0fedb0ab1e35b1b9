import AnalyticsCore
import AnalyticsStore

/// A loan's contribution to its officer's sums at D (an `OfficerAccumulator` over that one loan),
/// as stored beside its state in `loan_states` (migration 0011): counts as `integer`, amounts as
/// `bigint` minor units, with the officer they count for (`officer_id`). The daemon sums the
/// stored contributions of an officer's loans instead of re-reading the officer's whole book; the
/// sums are `OfficerAccumulator.merge` done by the database (integer addition, exact), and the
/// property test compares them with a full refresh.
enum LoanContribution {
    /// The count fields and their columns, in `loan_states` order.
    static var counts: [(column: String, field: WritableKeyPath<OfficerAccumulator, Int>)] {
        [
            ("contrib_existing_loans", \.existingLoans),
            ("contrib_active_loans", \.activeLoans),
            ("contrib_disbursed_mtd_count", \.disbursedMonthToDateCount),
            ("contrib_overdue_15d_count", \.overdue15Count),
            ("contrib_fimr_cohort", \.fimrCohort),
            ("contrib_fimr_missed", \.fimrMissed),
            ("contrib_all_time_fimr_loans", \.allTimeFimrLoans),
            ("contrib_all_time_fimr_missed", \.allTimeFimrMissed),
            ("contrib_roll_cohort_loans", \.rollCohortLoans),
            ("contrib_installments_due_t30", \.installmentsDueTrailing),
            ("contrib_installments_on_time_t30", \.installmentsOnTimeTrailing),
            ("contrib_channel_matching_active", \.channelMatchingActiveLoans),
            ("contrib_total_entries", \.totalEntries),
            ("contrib_backdated_count", \.backdatedCount),
            ("contrib_reversals_count", \.reversalsCount),
        ]
    }

    /// The money fields and their columns (minor units), in `loan_states` order after the counts.
    static var amounts: [(column: String, field: WritableKeyPath<OfficerAccumulator, Money>)] {
        [
            ("contrib_total_portfolio", \.totalPortfolio),
            ("contrib_disbursed_mtd_amount", \.disbursedMonthToDateAmount),
            ("contrib_overdue_15d_amount", \.overdue15Amount),
            ("contrib_dpd_1to6_balance", \.dpd1to6Balance),
            ("contrib_amount_due_7d", \.amountDue7d),
            ("contrib_prev_dpd_1to6_balance", \.previousDpd1to6Balance),
            ("contrib_moved_to_7to30", \.movedTo7to30),
            ("contrib_fees_collected", \.feesCollected),
            ("contrib_fees_due", \.feesDue),
            ("contrib_interest_collected", \.interestCollected),
            ("contrib_par15_at_mid_month", \.par15AtMidMonth),
            ("contrib_waivers_amount", \.waiversAmount),
        ]
    }

    /// Every contribution column, counts first.
    static let columns = counts.map(\.column) + amounts.map(\.column)

    /// Encodes a contribution in `columns` order (all NULL when the loan does not exist at D, like
    /// its state). Field by field, not through `counts`/`amounts`: it runs twice per loan of a
    /// whole-book refresh, where key paths cost seconds. `LoanContributionTests` checks the order.
    static func encode(_ c: OfficerAccumulator, exists: Bool, into e: inout PostgresBinaryRowEncoder) {
        guard exists else {
            for _ in 0..<columnCount { e.null() }
            return
        }
        e.int32(value: Int32(clamping: c.existingLoans))
        e.int32(value: Int32(clamping: c.activeLoans))
        e.int32(value: Int32(clamping: c.disbursedMonthToDateCount))
        e.int32(value: Int32(clamping: c.overdue15Count))
        e.int32(value: Int32(clamping: c.fimrCohort))
        e.int32(value: Int32(clamping: c.fimrMissed))
        e.int32(value: Int32(clamping: c.allTimeFimrLoans))
        e.int32(value: Int32(clamping: c.allTimeFimrMissed))
        e.int32(value: Int32(clamping: c.rollCohortLoans))
        e.int32(value: Int32(clamping: c.installmentsDueTrailing))
        e.int32(value: Int32(clamping: c.installmentsOnTimeTrailing))
        e.int32(value: Int32(clamping: c.channelMatchingActiveLoans))
        e.int32(value: Int32(clamping: c.totalEntries))
        e.int32(value: Int32(clamping: c.backdatedCount))
        e.int32(value: Int32(clamping: c.reversalsCount))
        e.int64(value: c.totalPortfolio.minorUnits)
        e.int64(value: c.disbursedMonthToDateAmount.minorUnits)
        e.int64(value: c.overdue15Amount.minorUnits)
        e.int64(value: c.dpd1to6Balance.minorUnits)
        e.int64(value: c.amountDue7d.minorUnits)
        e.int64(value: c.previousDpd1to6Balance.minorUnits)
        e.int64(value: c.movedTo7to30.minorUnits)
        e.int64(value: c.feesCollected.minorUnits)
        e.int64(value: c.feesDue.minorUnits)
        e.int64(value: c.interestCollected.minorUnits)
        e.int64(value: c.par15AtMidMonth.minorUnits)
        e.int64(value: c.waiversAmount.minorUnits)
    }

    /// How many columns a contribution has.
    static let columnCount = 27

    /// The sums of the stored contributions of the loans of `officers`: of the states written
    /// for them (`loan_states.officer_id`). Valid once `contributionsComplete` holds and every
    /// loan moved to another officer has had its state rewritten (the daemon's batch does that
    /// first: the move marked the loan).
    static func sums(ofOfficers officers: [String], on connection: PostgresConnection) async throws -> PortfolioAccumulator {
        try await sums(from: "loan_states WHERE officer_id = ANY($1)", [officers], on: connection)
    }

    /// The sums per `officer_id` of the contribution columns of the rows of `source` (a table and
    /// its condition, with `bindings`): the stored contributions, or a date's partial sums
    /// (`OfficerPartialSums`, the same columns).
    static func sums(from source: String, _ bindings: PostgresBindings, on connection: PostgresConnection) async throws -> PortfolioAccumulator {
        let selected = columns.map { "coalesce(sum(\($0)), 0)::bigint AS \($0)" }.joined(separator: ", ")
        let rows = try await connection.query("SELECT officer_id, \(selected) FROM \(source) GROUP BY officer_id", bindings)
        var result = PortfolioAccumulator()
        for row in rows {
            var sums = OfficerAccumulator()
            for count in counts { sums[keyPath: count.field] = try row.decode(Int.self, count.column) }
            for amount in amounts { sums[keyPath: amount.field] = Money(minorUnits: try row.decode(Int64.self, amount.column)) }
            result.add(sums, forOfficer: try row.decode(String.self, "officer_id"))
        }
        return result
    }

    /// True when every stored state carries its contribution and officer: none written before
    /// migration 0011 is left (a row of a loan that did not exist at D has an officer too). One
    /// probe of `idx_loan_states_officer`, which indexes the NULLs as well.
    static func contributionsComplete(on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("SELECT NOT EXISTS (SELECT 1 FROM loan_states WHERE officer_id IS NULL) AS complete")[0]
            .decode(Bool.self, "complete")
    }
}
