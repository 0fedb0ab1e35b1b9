/// One installment as of a date: what is paid on it and when it was covered.
public struct InstallmentState: Hashable, Sendable {
    /// The installment.
    public var installment: Installment
    /// `Paid`, `Partial` or `Pending` at the as-of date.
    public var status: InstallmentStatus
    /// Amount of the covered total applied to it (waterfall), in `[0, total_due]`.
    public var amountPaid: Money
    /// `covered_date` when on or before the as-of date, else nil.
    public var coveredDate: CalendarDate?

    /// Creates an installment state.
    public init(installment: Installment, status: InstallmentStatus, amountPaid: Money, coveredDate: CalendarDate?) {
        self.installment = installment
        self.status = status
        self.amountPaid = amountPaid
        self.coveredDate = coveredDate
    }

    /// `total_due - amount_paid`.
    public var unpaid: Money { installment.totalDue - amountPaid }
}
