/// The dates a day's metrics look at (METRICS 1 and 4), all derived from the as-of date D.
public struct MetricsWindow: Hashable, Sendable {
    /// The as-of date D.
    public var asOf: CalendarDate
    /// D - 7: the roll cohort is read from the loan states at this date.
    public var rollCohortDate: CalendarDate
    /// S: the 15th of D's month when D is on or after it, else the 15th of the previous month.
    public var midMonthDate: CalendarDate
    /// First day of MTD = [first of D's month, D].
    public var monthStart: CalendarDate
    /// First day of T30 = [D-30, D-1].
    public var trailingStart: CalendarDate
    /// Last day of T30 (D-1).
    public var trailingEnd: CalendarDate
    /// Last day of the `amount_due_7d` range [D, D+7].
    public var dueSoonEnd: CalendarDate

    /// The window of as-of date `asOf`.
    public init(asOf: CalendarDate) {
        self.asOf = asOf
        self.rollCohortDate = asOf - 7
        self.monthStart = asOf.firstOfMonth
        self.trailingStart = asOf - 30
        self.trailingEnd = asOf - 1
        self.dueSoonEnd = asOf + 7
        let c = asOf.components
        if c.day >= 15 {
            self.midMonthDate = monthStart + 14
        } else {
            let previousMonthStart = (monthStart - 1).firstOfMonth
            self.midMonthDate = previousMonthStart + 14
        }
    }

    /// True when `date` is in MTD.
    @inlinable
    public func isInMonthToDate(_ date: CalendarDate) -> Bool { date >= monthStart && date <= asOf }

    /// True when `date` is in T30.
    @inlinable
    public func isInTrailing30(_ date: CalendarDate) -> Bool { date >= trailingStart && date <= trailingEnd }

    /// True when `date` is in [D, D+7].
    @inlinable
    public func isDueSoon(_ date: CalendarDate) -> Bool { date >= asOf && date <= dueSoonEnd }
}
