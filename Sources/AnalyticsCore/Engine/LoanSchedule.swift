/// A loan's repayment schedule with its totals.
public struct LoanSchedule: Hashable, Sendable {
    /// The installments in installment-number order.
    public var installments: [Installment]
    /// Whether the schedule was given or generated.
    public var source: ScheduleSource
    /// Sum of `interest_due`: the loan's interest total for `interest_outstanding`.
    public var interestTotal: Money
    /// Sum of `fee_due`: the loan's fee total for `fees_outstanding`.
    public var feeTotal: Money

    /// Creates a schedule from installments (already ordered), computing the totals.
    public init(installments: [Installment], source: ScheduleSource) {
        self.installments = installments
        self.source = source
        var interest = Money.zero
        var fees = Money.zero
        for installment in installments {
            interest += installment.interestDue
            fees += installment.feeDue
        }
        self.interestTotal = interest
        self.feeTotal = fees
    }
}
