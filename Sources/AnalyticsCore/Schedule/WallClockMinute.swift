/// A local date and time to the minute, as a wall clock in some time zone shows it (no zone of its
/// own): what a cron expression matches.
public struct WallClockMinute: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The local date.
    public var date: CalendarDate
    /// The hour, 0-23.
    public var hour: Int
    /// The minute, 0-59.
    public var minute: Int

    /// Creates a wall-clock time; `hour` 0-23, `minute` 0-59.
    public init(date: CalendarDate, hour: Int, minute: Int) {
        precondition((0...23).contains(hour) && (0...59).contains(minute), "not a time of day: \(hour):\(minute)")
        self.date = date
        self.hour = hour
        self.minute = minute
    }

    /// Minutes since local midnight.
    public var minuteOfDay: Int { hour * 60 + minute }

    /// Seconds since 1970-01-01T00:00 of the local clock (the instant it would be if the zone were UTC).
    public var localSeconds: Int64 { Int64(date.daysSinceEpoch) * 86_400 + Int64(minuteOfDay) * 60 }

    /// True when `lhs` is earlier on the wall clock.
    public static func < (lhs: WallClockMinute, rhs: WallClockMinute) -> Bool {
        (lhs.date, lhs.minuteOfDay) < (rhs.date, rhs.minuteOfDay)
    }

    /// `YYYY-MM-DD HH:MM`.
    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(date) \(two(hour)):\(two(minute))"
    }
}
