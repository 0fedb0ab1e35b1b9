// No cron library is available here: none among the package's dependencies nor in the local
// package mirror (hummingbird-project's swift-jobs, whose `Schedule` parses cron, is not there),
// so this is a small parser of our own: five fields, `*`, lists, ranges, steps, month and weekday
// names, the `@daily`-style shorthands, and Vixie cron's rule for the two day fields.

/// A five-field cron expression: `minute hour day-of-month month day-of-week`.
///
/// Each field is a comma-separated list of `*`, `N` or `N-M`, each optionally with `/STEP`
/// (`N/STEP` runs from N to the end of the field); months and days of the week also take
/// three-letter names (`JAN`, `MON`), and day-of-week 7 is Sunday like 0. `@hourly`, `@daily`
/// (`@midnight`), `@weekly`, `@monthly` and `@yearly` (`@annually`) stand for their usual
/// expressions.
///
/// The day rule is Vixie cron's: when both day-of-month and day-of-week are restricted (neither
/// starts with `*`), a day matches if **either** matches (`0 12 1 * MON` = the 1st and every
/// Monday); otherwise both must match. An expression that can never fire (`0 0 31 2 *`) is
/// rejected when parsed. Matching is on wall-clock minutes; `nextFire(after:in:)` adds the time zone.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The minutes (0-59) it fires at.
    public let minutes: CronField
    /// The hours (0-23).
    public let hours: CronField
    /// The days of the month (1-31), combined with `daysOfWeek` by Vixie's rule.
    public let daysOfMonth: CronField
    /// The months (1-12).
    public let months: CronField
    /// The days of the week (0-6, Sunday 0).
    public let daysOfWeek: CronField
    /// The text it was parsed from (fields separated by one space; a shorthand as given).
    public let text: String

    /// Parses `text` (fields separated by spaces or tabs); throws naming the field that is wrong.
    public init(_ text: String) throws(CronExpressionError) {
        let trimmed = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        let fields: [Substring]
        if trimmed.count == 1, let first = trimmed.first, first.hasPrefix("@") {
            guard let expanded = Self.shorthands[first.lowercased()] else {
                throw CronExpressionError("'\(first)' is not one of \(Self.shorthands.keys.sorted().joined(separator: ", "))")
            }
            fields = expanded.split(separator: " ")
        } else {
            fields = trimmed
        }
        guard fields.count == 5 else {
            throw CronExpressionError("'\(text)' has \(fields.count) fields; a cron expression has 5: minute hour day-of-month month day-of-week")
        }
        minutes = try CronField(parsing: fields[0], as: .minute)
        hours = try CronField(parsing: fields[1], as: .hour)
        daysOfMonth = try CronField(parsing: fields[2], as: .dayOfMonth)
        months = try CronField(parsing: fields[3], as: .month)
        daysOfWeek = try CronField(parsing: fields[4], as: .dayOfWeek)
        self.text = trimmed.joined(separator: " ")
        // Only day-of-month AND month can rule out every day (when day-of-week does not widen it).
        if daysOfWeek.isStar, let smallest = daysOfMonth.values.first {
            let longest = months.values.map { CalendarDate.daysInMonth(year: 2000, month: $0) }.max() ?? 0
            guard smallest <= longest else {
                throw CronExpressionError("'\(self.text)' never fires: no month of \(fields[3]) has day \(smallest)")
            }
        }
    }

    private static let shorthands = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]

    /// The expression's text.
    public var description: String { text }

    /// True when the expression fires on `date` (month, and Vixie's day-of-month/day-of-week rule).
    public func matches(date: CalendarDate) -> Bool {
        let (_, month, day) = date.components
        guard months.contains(month) else { return false }
        let byDay = daysOfMonth.contains(day)
        let byWeekday = daysOfWeek.contains(date.weekday)
        if daysOfMonth.isStar || daysOfWeek.isStar { return byDay && byWeekday }
        return byDay || byWeekday
    }

    /// True when the expression fires at the wall-clock minute `time`.
    public func matches(_ time: WallClockMinute) -> Bool {
        matches(date: time.date) && hours.contains(time.hour) && minutes.contains(time.minute)
    }

    /// The first wall-clock minute strictly after `time` that matches; nil only if none does in the
    /// next fifty years. A parsed expression always matches within that: the rarest day is a
    /// February 29th that must also fall on a given weekday (at most 40 years apart).
    public func nextMatch(after time: WallClockMinute) -> WallClockMinute? {
        var date = time.date
        var from = time.minuteOfDay + 1
        for _ in 0..<(366 * 50) {
            if from < 1440, matches(date: date), let (hour, minute) = firstTime(from: from) {
                return WallClockMinute(date: date, hour: hour, minute: minute)
            }
            date = date.adding(days: 1)
            from = 0
        }
        return nil
    }

    /// The first (hour, minute) of a matching day at or after `minuteOfDay`.
    private func firstTime(from minuteOfDay: Int) -> (Int, Int)? {
        var hour = hours.first(from: minuteOfDay / 60, through: 23)
        var minuteFloor = hour == minuteOfDay / 60 ? minuteOfDay % 60 : 0
        while let h = hour {
            if let m = minutes.first(from: minuteFloor, through: 59) { return (h, m) }
            hour = hours.first(from: h + 1, through: 23)
            minuteFloor = 0
        }
        return nil
    }
}
