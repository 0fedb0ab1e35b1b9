/// One installment of a loan's repayment schedule, given or generated (METRICS 2).
///
/// Compact on purpose (32 bytes): the engine walks millions of these.
public struct Installment: Hashable, Sendable {
    /// The 1-based installment number.
    public var number: Int32
    /// The due date.
    public var dueDate: CalendarDate
    /// Principal due.
    public var principalDue: Money
    /// Interest due.
    public var interestDue: Money
    /// Fee due.
    public var feeDue: Money

    /// Creates an installment.
    @inlinable
    public init(number: Int32, dueDate: CalendarDate, principalDue: Money, interestDue: Money, feeDue: Money) {
        self.number = number
        self.dueDate = dueDate
        self.principalDue = principalDue
        self.interestDue = interestDue
        self.feeDue = feeDue
    }

    /// `total_due` = principal + interest + fee.
    @inlinable
    public var totalDue: Money { principalDue + interestDue + feeDue }
}
