/// The mergeable sums behind one officer's daily metrics (METRICS 4) at one as-of date.
///
/// Only integer counts and money sums (the numerators and denominators), so accumulators built
/// over disjoint sets of the officer's loans merge with ``merge(_:)`` (associative and
/// commutative) into exactly the totals one accumulator over all the loans would hold. Ratios and
/// scores are computed once, at the end, by ``finalise(officer:window:par15Override:options:)``.
public struct OfficerAccumulator: Hashable, Sendable {
    /// Loans of the officer that exist at D (any status): the officer gets a row when > 0.
    public var existingLoans = 0
    /// `active_loans`.
    public var activeLoans = 0
    /// `total_portfolio`: total outstanding of Active loans.
    public var totalPortfolio = Money.zero
    /// `total_disbursed_count`.
    public var disbursedMonthToDateCount = 0
    /// `total_disbursed_amount`.
    public var disbursedMonthToDateAmount = Money.zero
    /// `overdue_15d_count`.
    public var overdue15Count = 0
    /// `overdue_15d_amount`.
    public var overdue15Amount = Money.zero
    /// `disbursed_count`: FIMR cohort (first payment due in T30).
    public var fimrCohort = 0
    /// `first_miss_count`.
    public var fimrMissed = 0
    /// Loans whose first payment was due before D (all-time FIMR denominator).
    public var allTimeFimrLoans = 0
    /// Of those, missed.
    public var allTimeFimrMissed = 0
    /// `dpd_1to6_balance`.
    public var dpd1to6Balance = Money.zero
    /// `amount_due_7d`.
    public var amountDue7d = Money.zero
    /// Loans in the roll cohort (Active and 1-6 at D-7).
    public var rollCohortLoans = 0
    /// `prev_dpd_1to6_balance`.
    public var previousDpd1to6Balance = Money.zero
    /// `moved_to_7to30`.
    public var movedTo7to30 = Money.zero
    /// `fees_collected`.
    public var feesCollected = Money.zero
    /// `fees_due`.
    public var feesDue = Money.zero
    /// `interest_collected`.
    public var interestCollected = Money.zero
    /// PAR15 exposure at S computed from the loans (used unless a snapshot overrides it).
    public var par15AtMidMonth = Money.zero
    /// Installments due in T30 (on-time rate denominator).
    public var installmentsDueTrailing = 0
    /// Of those, covered on or before their due date.
    public var installmentsOnTimeTrailing = 0
    /// Active loans whose channel equals the officer's primary channel.
    public var channelMatchingActiveLoans = 0
    /// `waivers_amount`.
    public var waiversAmount = Money.zero
    /// `total_entries`.
    public var totalEntries = 0
    /// `backdated_count`.
    public var backdatedCount = 0
    /// `reversals_count`.
    public var reversalsCount = 0

    /// An empty accumulator.
    public init() {}

    /// Adds the sums of `other` (built over a disjoint set of the same officer's loans).
    public mutating func merge(_ other: OfficerAccumulator) {
        existingLoans += other.existingLoans
        activeLoans += other.activeLoans
        totalPortfolio += other.totalPortfolio
        disbursedMonthToDateCount += other.disbursedMonthToDateCount
        disbursedMonthToDateAmount += other.disbursedMonthToDateAmount
        overdue15Count += other.overdue15Count
        overdue15Amount += other.overdue15Amount
        fimrCohort += other.fimrCohort
        fimrMissed += other.fimrMissed
        allTimeFimrLoans += other.allTimeFimrLoans
        allTimeFimrMissed += other.allTimeFimrMissed
        dpd1to6Balance += other.dpd1to6Balance
        amountDue7d += other.amountDue7d
        rollCohortLoans += other.rollCohortLoans
        previousDpd1to6Balance += other.previousDpd1to6Balance
        movedTo7to30 += other.movedTo7to30
        feesCollected += other.feesCollected
        feesDue += other.feesDue
        interestCollected += other.interestCollected
        par15AtMidMonth += other.par15AtMidMonth
        installmentsDueTrailing += other.installmentsDueTrailing
        installmentsOnTimeTrailing += other.installmentsOnTimeTrailing
        channelMatchingActiveLoans += other.channelMatchingActiveLoans
        waiversAmount += other.waiversAmount
        totalEntries += other.totalEntries
        backdatedCount += other.backdatedCount
        reversalsCount += other.reversalsCount
    }

    /// The sum of two accumulators.
    public static func + (lhs: OfficerAccumulator, rhs: OfficerAccumulator) -> OfficerAccumulator {
        var result = lhs
        result.merge(rhs)
        return result
    }
}
