/// A calendar date with no time and no time zone: nothing can shift it by a day.
///
/// Stored as the count of days since 1970-01-01 (proleptic Gregorian), so day arithmetic is integer
/// arithmetic. Text form is ISO 8601 `YYYY-MM-DD`.
public struct CalendarDate: Hashable, Comparable, Sendable {
    /// Days since 1970-01-01 (negative before it).
    public var daysSinceEpoch: Int32

    /// Creates a date from a day count since 1970-01-01.
    @inlinable
    public init(daysSinceEpoch: Int32) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// Creates a date from its parts; nil when the day does not exist (2024-02-30) or the year is
    /// outside 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.daysSinceEpoch = Int32(CalendarDate.daysFromCivil(year: year, month: month, day: day))
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day); nil otherwise.
    public init?(iso text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                let c = u[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The year, month (1-12) and day (1-31).
    public var components: (year: Int, month: Int, day: Int) {
        CalendarDate.civilFromDays(Int(daysSinceEpoch))
    }

    /// The year.
    public var year: Int { components.year }
    /// The month, 1-12.
    public var month: Int { components.month }
    /// The day of the month, 1-31.
    public var day: Int { components.day }

    /// The first day of this date's month.
    public var firstOfMonth: CalendarDate {
        let c = components
        return CalendarDate(daysSinceEpoch: Int32(CalendarDate.daysFromCivil(year: c.year, month: c.month, day: 1)))
    }

    /// The date `days` later (earlier when negative).
    @inlinable
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + Int32(days))
    }

    /// Whole days from `other` to `self` (`self - other`).
    @inlinable
    public func days(since other: CalendarDate) -> Int {
        Int(daysSinceEpoch) - Int(other.daysSinceEpoch)
    }

    /// True when `lhs` is the earlier date.
    @inlinable
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// The date `rhs` days later.
    @inlinable
    public static func + (lhs: CalendarDate, rhs: Int) -> CalendarDate { lhs.adding(days: rhs) }

    /// The date `rhs` days earlier.
    @inlinable
    public static func - (lhs: CalendarDate, rhs: Int) -> CalendarDate { lhs.adding(days: -rhs) }

    /// Whole days from `rhs` to `lhs`.
    @inlinable
    public static func - (lhs: CalendarDate, rhs: CalendarDate) -> Int { lhs.days(since: rhs) }

    /// The number of days in a month of a year.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension CalendarDate: CustomStringConvertible {
    /// `YYYY-MM-DD`.
    public var description: String {
        let c = components
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }
}
