/// The state of one loan as of a date, without the per-installment detail (METRICS 3).
///
/// Cheap to compute (no allocation): this is what the metric jobs aggregate. ``LoanState`` adds
/// the installments for drilldowns and `loans.json`.
public struct LoanSnapshot: Hashable, Sendable {
    /// The as-of date D.
    public var asOf: CalendarDate
    /// The status at D (`Active` when the loan closed after D).
    public var statusAsOf: LoanStatus
    /// `current_dpd`: D minus the due date of the earliest installment due before D not Paid at D.
    public var currentDpd: Int
    /// `max_dpd_ever`: the largest DPD the loan had on any day up to D, from the repayments
    /// effective at D.
    public var maxDpdEver: Int
    /// The due date `current_dpd` counts from (nil when `current_dpd` is 0): with no other change
    /// the loan's DPD at a later date D' is D' minus this date, until an installment is covered.
    public var arrearsSince: CalendarDate?
    /// The part of `max_dpd_ever` that no longer grows with D: the largest DPD of the installments
    /// Paid at D (0 when none was late), so that `max_dpd_ever = max(settledMaxDpd, current_dpd)`.
    /// (When an installment not Paid at D fell due before the one `current_dpd` counts from, in a
    /// schedule out of due-date order, it is `max_dpd_ever` itself.)
    public var settledMaxDpd: Int
    /// `total_principal_paid` over effective repayments.
    public var totalPrincipalPaid: Money
    /// `total_interest_paid` over effective repayments.
    public var totalInterestPaid: Money
    /// `total_fees_paid` over effective repayments.
    public var totalFeesPaid: Money
    /// `principal_outstanding`, floored at 0.
    public var principalOutstanding: Money
    /// `interest_outstanding`, floored at 0.
    public var interestOutstanding: Money
    /// `fees_outstanding`, floored at 0.
    public var feesOutstanding: Money
    /// `covered_to_date` = P(D), the covered amount of the effective repayments.
    public var coveredToDate: Money
    /// `first_payment_due_date` (due date of installment 1); nil without installments.
    public var firstPaymentDueDate: CalendarDate?
    /// `first_payment_received_date`: covered date of installment 1 when on or before D.
    public var firstPaymentReceivedDate: CalendarDate?
    /// `first_payment_missed` (= `fimr_tagged`).
    public var firstPaymentMissed: Bool
    /// `days_late` (drilldown): received - due, or D - due, when missed; else 0.
    public var daysLate: Int
    /// `last_payment_date`: latest payment date of an effective repayment.
    public var lastPaymentDate: CalendarDate?
    /// `next_payment_due`: earliest due date on or after D of an installment not Paid at D.
    public var nextPaymentDue: CalendarDate?

    /// `dpd_bucket`.
    @inlinable
    public var dpdBucket: DPDBucket { DPDBucket(dpd: currentDpd) }
    /// `total_outstanding` = principal + interest + fees outstanding.
    @inlinable
    public var totalOutstanding: Money { principalOutstanding + interestOutstanding + feesOutstanding }
    /// `fimr_tagged` = `first_payment_missed`.
    @inlinable
    public var fimrTagged: Bool { firstPaymentMissed }
    /// `early_indicator_tagged`: Active at D and 1 <= DPD <= 6.
    @inlinable
    public var earlyIndicatorTagged: Bool { statusAsOf == .active && currentDpd >= 1 && currentDpd <= 6 }
    /// The loan risk score `max(0, 100 - current_dpd - (fimr_tagged ? 20 : 0))`.
    @inlinable
    public var riskScore: Int { max(0, 100 - currentDpd - (firstPaymentMissed ? 20 : 0)) }
}
