/// One installment of a schedule sent with a loan (`schedule[]` of the loan payload).
public struct ScheduleEntry: Hashable, Sendable {
    /// `installment_number`, 1...n without gaps.
    public var installmentNumber: Int
    /// `due_date`.
    public var dueDate: CalendarDate
    /// `principal_due`.
    public var principalDue: Money
    /// `interest_due`.
    public var interestDue: Money
    /// `fee_due`.
    public var feeDue: Money

    /// Creates a schedule entry.
    public init(installmentNumber: Int, dueDate: CalendarDate, principalDue: Money, interestDue: Money, feeDue: Money) {
        self.installmentNumber = installmentNumber
        self.dueDate = dueDate
        self.principalDue = principalDue
        self.interestDue = interestDue
        self.feeDue = feeDue
    }
}
