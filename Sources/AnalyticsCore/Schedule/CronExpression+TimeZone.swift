// Foundation only for `TimeZone` (the IANA database); the arithmetic is our own.
import Foundation

extension WallClockMinute {
    /// The wall-clock minute `zone` shows at `instant` (seconds dropped).
    public init(_ instant: Date, in zone: TimeZone) {
        let utc = Int64(instant.timeIntervalSince1970.rounded(.down))
        let local = utc + Int64(zone.secondsFromGMT(for: instant))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let second = Int(local - days * 86_400)
        self.init(date: CalendarDate(daysSinceEpoch: Int32(days)), hour: second / 3600, minute: second % 3600 / 60)
    }

    /// The instants at which `zone` shows this wall-clock minute, earliest first: one normally, two
    /// when the clocks go back (the repeated hour), none when they go forward over it (a gap).
    public func instants(in zone: TimeZone) -> [Date] {
        let local = localSeconds
        // The offsets in force a day either side cover any single transition around this minute.
        let offsets = Set([zone.offset(at: local - 86_400), zone.offset(at: local + 86_400)])
        return offsets.map { local - Int64($0) }
            .filter { zone.offset(at: $0) == Int(local - $0) }
            .sorted()
            .map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The first instant at which `zone` shows this minute; for a minute the clocks skip, the
    /// instant they skip to (the end of the gap).
    public func firstInstant(in zone: TimeZone) -> Date {
        if let first = instants(in: zone).first { return first }
        let local = localSeconds
        // Gap: before the transition the earlier offset holds, after it the later (larger) one.
        // Binary search for the transition between the two readings of this minute.
        let before = zone.offset(at: local - 86_400)
        var low = local - Int64(max(before, zone.offset(at: local + 86_400)))
        var high = local - Int64(min(before, zone.offset(at: local + 86_400)))
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if zone.offset(at: mid) == before { low = mid } else { high = mid }
        }
        return Date(timeIntervalSince1970: TimeInterval(high))
    }
}

extension TimeZone {
    /// Seconds from UTC at the Unix time `seconds`.
    fileprivate func offset(at seconds: Int64) -> Int {
        secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

extension CronExpression {
    /// The first instant strictly after `instant` at which the expression fires in `zone`.
    ///
    /// Daylight-saving time, decided as follows (and tested in America/New_York):
    /// - **Gap** (clocks go forward, 02:00 -> 03:00): a matching minute that does not exist fires
    ///   once, at the end of the gap (03:00 new time), like Vixie cron's fixed-time jobs; several
    ///   skipped minutes (`*/15` at 02:00-02:45) and 03:00 itself fire once together there.
    /// - **Overlap** (clocks go back, 01:00-01:59 twice): a matching minute fires once, at its first
    ///   occurrence. After firing at 01:45 the next is 02:00, not the second 01:00; a search that
    ///   starts inside the second pass (a process started then) fires at the second occurrence of
    ///   the minutes still ahead of it.
    /// Zones without daylight-saving time (Africa/Lagos) are plain: every minute exists once.
    /// Nil only when nothing matches within twelve years (a parsed expression always does).
    public func nextFire(after instant: Date, in zone: TimeZone) -> Date? {
        var time = WallClockMinute(instant, in: zone)
        // A gap or overlap touches a handful of candidates; the bound only guards against a zone
        // database that contradicts itself.
        for _ in 0..<10_000 {
            guard let candidate = nextMatch(after: time) else { return nil }
            let instants = candidate.instants(in: zone)
            if instants.isEmpty {
                let end = candidate.firstInstant(in: zone)
                if end > instant { return end }
            } else if let first = instants.first(where: { $0 > instant }) {
                return first
            }
            time = candidate
        }
        return nil
    }

    /// The latest fire time in `start...end` (both inclusive), if any.
    public func lastFire(from start: Date, through end: Date, in zone: TimeZone) -> Date? {
        var last: Date?
        var cursor = start.addingTimeInterval(-1)
        while let next = nextFire(after: cursor, in: zone), next <= end {
            if next >= start { last = next }
            cursor = next
        }
        return last
    }
}
