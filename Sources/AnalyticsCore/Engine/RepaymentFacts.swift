/// What the engine needs of one repayment, in 48 bytes: dates as day numbers and money in minor
/// units.
///
/// Whether a repayment counts depends on the as-of date (METRICS 1): it is effective at `D` when
/// `payment_date <= D` and it is not reversed as of `D` (reversed when `is_reversed` and
/// `reversal_date` is null or on or before `D`).
public struct RepaymentFacts: Hashable, Sendable {
    /// `payment_date`.
    public var paymentDate: CalendarDate
    /// First day on which the repayment counts as reversed: `Int32.max` when never reversed,
    /// `Int32.min` when reversed with no date (reversed at every date).
    @usableFromInline
    var reversedFromDay: Int32
    /// `principal_paid`.
    public var principalPaid: Money
    /// `interest_paid`.
    public var interestPaid: Money
    /// `fees_paid`.
    public var feesPaid: Money
    /// `waiver_amount`.
    public var waiverAmount: Money
    /// `is_backdated`.
    public var isBackdated: Bool

    /// Creates the facts of one repayment.
    public init(
        paymentDate: CalendarDate, principalPaid: Money, interestPaid: Money, feesPaid: Money,
        waiverAmount: Money = .zero, isBackdated: Bool = false, isReversed: Bool = false,
        reversalDate: CalendarDate? = nil
    ) {
        self.paymentDate = paymentDate
        self.principalPaid = principalPaid
        self.interestPaid = interestPaid
        self.feesPaid = feesPaid
        self.waiverAmount = waiverAmount
        self.isBackdated = isBackdated
        if isReversed {
            self.reversedFromDay = reversalDate?.daysSinceEpoch ?? Int32.min
        } else {
            self.reversedFromDay = Int32.max
        }
    }

    /// The facts of a repayment record.
    public init(_ repayment: Repayment) {
        self.init(
            paymentDate: repayment.paymentDate, principalPaid: repayment.principalPaid,
            interestPaid: repayment.interestPaid, feesPaid: repayment.feesPaid,
            waiverAmount: repayment.waiverAmount, isBackdated: repayment.isBackdated,
            isReversed: repayment.isReversed, reversalDate: repayment.reversalDate
        )
    }

    /// `is_reversed`.
    public var isReversed: Bool { reversedFromDay != Int32.max }

    /// `reversal_date` (nil when not reversed or reversed with no date).
    public var reversalDate: CalendarDate? {
        reversedFromDay == Int32.max || reversedFromDay == Int32.min ? nil : CalendarDate(daysSinceEpoch: reversedFromDay)
    }

    /// The covered amount: principal + interest + fees (penalties and waivers cover nothing).
    @inlinable
    public var coveredAmount: Money { principalPaid + interestPaid + feesPaid }

    /// True when the row counts as reversed as of `date`.
    @inlinable
    public func isReversed(asOf date: CalendarDate) -> Bool {
        reversedFromDay <= date.daysSinceEpoch
    }

    /// True when the repayment is effective at `date`: paid on or before it, not reversed as of it.
    @inlinable
    public func isEffective(at date: CalendarDate) -> Bool {
        paymentDate.daysSinceEpoch <= date.daysSinceEpoch && date.daysSinceEpoch < reversedFromDay
    }
}
