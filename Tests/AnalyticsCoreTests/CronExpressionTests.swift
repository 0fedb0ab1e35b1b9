import Foundation
import Testing
@testable import AnalyticsCore

/// The cron parser (fields, steps, lists, ranges, names, Vixie's day rule) and next fire times
/// across month and year ends and daylight-saving changes.
@Suite("CronExpression")
struct CronExpressionTests {
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let lagos = TimeZone(identifier: "Africa/Lagos")!
    static let utc = TimeZone(identifier: "UTC")!

    /// An instant from ISO 8601 with its offset, e.g. `2024-03-10T06:00:00Z`.
    static func at(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad test instant \(text)") }
        return date
    }

    static func minute(_ date: String, _ hour: Int, _ minute: Int) -> WallClockMinute {
        guard let day = CalendarDate(iso: date) else { fatalError("bad test date \(date)") }
        return WallClockMinute(date: day, hour: hour, minute: minute)
    }

    @Test("fields: single values, *, steps, ranges with steps, lists, N/STEP")
    func fields() throws {
        let e = try CronExpression("5 4 * * *")
        #expect(e.minutes.values == [5])
        #expect(e.hours.values == [4])
        #expect(e.daysOfMonth.values == Array(1...31))
        #expect(e.months.values == Array(1...12))
        #expect(e.daysOfWeek.values == Array(0...6))
        #expect(try CronExpression("*/15 * * * *").minutes.values == [0, 15, 30, 45])
        #expect(try CronExpression("0 1-9/4 * * *").hours.values == [1, 5, 9])
        #expect(try CronExpression("1,2,10-12 * * * *").minutes.values == [1, 2, 10, 11, 12])
        #expect(try CronExpression("10/20 * * * *").minutes.values == [10, 30, 50])
        #expect(try CronExpression("0 0 */10 * *").daysOfMonth.values == [1, 11, 21, 31])
        #expect(try CronExpression("0 0 * */3 *").months.values == [1, 4, 7, 10])
        #expect(try CronExpression("0 0 1,15 * *").daysOfMonth.values == [1, 15])
        // Tabs and repeated spaces separate fields too.
        #expect(try CronExpression("0\t2  * * *").text == "0 2 * * *")
    }

    @Test("names for months and weekdays, any case; day-of-week 7 is Sunday")
    func names() throws {
        #expect(try CronExpression("0 0 * JAN-MAR *").months.values == [1, 2, 3])
        #expect(try CronExpression("0 0 * jul,Dec *").months.values == [7, 12])
        #expect(try CronExpression("0 9 * * mon-FRI").daysOfWeek.values == [1, 2, 3, 4, 5])
        #expect(try CronExpression("0 9 * * 7").daysOfWeek.values == [0])
        #expect(try CronExpression("0 9 * * 5-7").daysOfWeek.values == [0, 5, 6])
        #expect(try CronExpression("0 9 * * */2").daysOfWeek.values == [0, 2, 4, 6])
    }

    @Test("shorthands stand for their expressions and keep their text")
    func shorthands() throws {
        func fields(_ e: CronExpression) -> [CronField] { [e.minutes, e.hours, e.daysOfMonth, e.months, e.daysOfWeek] }
        for (short, long) in [("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"), ("@weekly", "0 0 * * 0"),
                              ("@monthly", "0 0 1 * *"), ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@DAILY", "0 0 * * *")] {
            let expression = try CronExpression(short)
            #expect(fields(expression) == fields(try CronExpression(long)), "\(short)")
            #expect(expression.text == short)
        }
    }

    @Test("malformed expressions are refused with a message naming the field",
          arguments: [
            ("0 2 * *", "5"), ("0 2 * * * *", "5"), ("60 * * * *", "minute"), ("0 24 * * *", "hour"),
            ("0 0 0 * *", "day-of-month"), ("0 0 32 * *", "day-of-month"), ("0 0 * 13 *", "month"),
            ("0 0 * * 8", "day-of-week"), ("5-1 * * * *", "backwards"), ("*/0 * * * *", "step"),
            ("*/61 * * * *", "step"), ("1,,2 * * * *", "empty"), ("a * * * *", "not a number"),
            ("0 0 * MON *", "month"), ("0 0 * * JAN", "day-of-week"), ("1-2-3 * * * *", "range"),
            ("1/2/3 * * * *", "'/'"), ("@reboot", "@reboot"), ("0 0 30 2 *", "never fires"),
            ("0 0 31 4,6,9,11 *", "never fires"), ("-1 * * * *", "minute"), ("+5 * * * *", "minute"),
            ("0 0 * * 7/2", "selects no value"), ("0 0 31 2 */2", "never fires"),
          ])
    func malformed(text: String, mentions: String) {
        do {
            let parsed = try CronExpression(text)
            Issue.record("accepted '\(text)' as \(parsed)")
        } catch {
            #expect(error.message.contains(mentions), "\(error.message)")
        }
    }

    @Test("February 29th is a day that exists (in leap years)")
    func leapDay() throws {
        let e = try CronExpression("0 0 29 2 *")
        #expect(e.nextMatch(after: Self.minute("2024-03-01", 0, 0)) == Self.minute("2028-02-29", 0, 0))
    }

    @Test("the rarest day still comes: February 29th on a Sunday (28 years apart)")
    func rarestDay() throws {
        let e = try CronExpression("0 0 29 2 */7")
        #expect(e.daysOfWeek.values == [0])
        #expect(e.nextMatch(after: Self.minute("2032-03-01", 0, 0)) == Self.minute("2060-02-29", 0, 0))
    }

    @Test("weekday of a date")
    func weekday() {
        #expect(CalendarDate(iso: "1970-01-01")?.weekday == 4)
        #expect(CalendarDate(iso: "1969-12-31")?.weekday == 3)
        #expect(CalendarDate(iso: "2024-06-03")?.weekday == 1)
        #expect(CalendarDate(iso: "2024-06-09")?.weekday == 0)
        #expect(CalendarDate(iso: "1900-01-01")?.weekday == 1)
    }

    @Test("Vixie's rule: both day fields restricted means either matches; a '*' day field means both must")
    func dayRule() throws {
        let either = try CronExpression("0 12 1 * MON")
        #expect(either.matches(date: CalendarDate(iso: "2024-06-01")!))   // Saturday the 1st
        #expect(either.matches(date: CalendarDate(iso: "2024-06-03")!))   // Monday the 3rd
        #expect(!either.matches(date: CalendarDate(iso: "2024-06-04")!))
        let mondays = try CronExpression("0 12 * * MON")
        #expect(!mondays.matches(date: CalendarDate(iso: "2024-06-01")!))
        #expect(mondays.matches(date: CalendarDate(iso: "2024-06-10")!))
        let firsts = try CronExpression("0 12 1 * *")
        #expect(firsts.matches(date: CalendarDate(iso: "2024-06-01")!))
        #expect(!firsts.matches(date: CalendarDate(iso: "2024-06-03")!))
        // A stepped '*' still counts as '*' (Vixie looks at the first character): both must match.
        let oddMondays = try CronExpression("0 12 */2 * MON")
        #expect(oddMondays.matches(date: CalendarDate(iso: "2024-06-03")!))
        #expect(!oddMondays.matches(date: CalendarDate(iso: "2024-06-10")!))
        #expect(!oddMondays.matches(date: CalendarDate(iso: "2024-06-05")!))
        // And the month still has to match.
        #expect(!(try CronExpression("0 12 1 JUL MON")).matches(date: CalendarDate(iso: "2024-06-03")!))
        // 15th of the month or any Friday, next after Thursday 2024-06-13 12:00: Friday the 14th.
        #expect(try CronExpression("0 12 15 * FRI").nextMatch(after: Self.minute("2024-06-13", 12, 0)) == Self.minute("2024-06-14", 12, 0))
    }

    @Test("next match across the hour, day, month and year ends")
    func nextAcrossEnds() throws {
        let quarter = try CronExpression("*/15 * * * *")
        #expect(quarter.nextMatch(after: Self.minute("2024-06-15", 10, 0)) == Self.minute("2024-06-15", 10, 15))
        #expect(quarter.nextMatch(after: Self.minute("2024-06-15", 10, 7)) == Self.minute("2024-06-15", 10, 15))
        #expect(quarter.nextMatch(after: Self.minute("2024-06-15", 23, 45)) == Self.minute("2024-06-16", 0, 0))
        let monthly = try CronExpression("0 0 1 * *")
        #expect(monthly.nextMatch(after: Self.minute("2024-01-31", 23, 59)) == Self.minute("2024-02-01", 0, 0))
        #expect(monthly.nextMatch(after: Self.minute("2024-12-31", 23, 59)) == Self.minute("2025-01-01", 0, 0))
        #expect(monthly.nextMatch(after: Self.minute("2024-02-01", 0, 0)) == Self.minute("2024-03-01", 0, 0))
        let newYearsEve = try CronExpression("30 23 31 12 *")
        #expect(newYearsEve.nextMatch(after: Self.minute("2024-12-31", 23, 30)) == Self.minute("2025-12-31", 23, 30))
        let par15 = try CronExpression("0 12 15 * *")
        #expect(par15.nextMatch(after: Self.minute("2024-12-15", 12, 0)) == Self.minute("2025-01-15", 12, 0))
        let thirtyFirst = try CronExpression("0 0 31 * *")
        #expect(thirtyFirst.nextMatch(after: Self.minute("2024-03-31", 0, 0)) == Self.minute("2024-05-31", 0, 0))
        let hours = try CronExpression("45 9,17 * * *")
        #expect(hours.nextMatch(after: Self.minute("2024-06-15", 9, 50)) == Self.minute("2024-06-15", 17, 45))
        #expect(hours.nextMatch(after: Self.minute("2024-06-15", 17, 45)) == Self.minute("2024-06-16", 9, 45))
    }

    @Test("Africa/Lagos (UTC+1, no daylight saving): fire times are local, across the year end")
    func lagos() throws {
        let daily = try CronExpression("0 2 * * *")
        #expect(daily.nextFire(after: Self.at("2024-06-15T00:00:00Z"), in: Self.lagos) == Self.at("2024-06-15T01:00:00Z"))
        #expect(daily.nextFire(after: Self.at("2024-06-15T01:00:00Z"), in: Self.lagos) == Self.at("2024-06-16T01:00:00Z"))
        let newYear = try CronExpression("0 0 1 1 *")
        #expect(newYear.nextFire(after: Self.at("2024-12-31T22:59:00Z"), in: Self.lagos) == Self.at("2024-12-31T23:00:00Z"))
        // Strictly after: a fire time is not returned again from itself, nor from within its minute.
        #expect(newYear.nextFire(after: Self.at("2024-12-31T23:00:00Z"), in: Self.lagos) == Self.at("2025-12-31T23:00:00Z"))
        #expect(newYear.nextFire(after: Self.at("2024-12-31T23:00:30Z"), in: Self.lagos) == Self.at("2025-12-31T23:00:00Z"))
        #expect(WallClockMinute(Self.at("2024-12-31T23:30:59Z"), in: Self.lagos) == Self.minute("2025-01-01", 0, 30))
    }

    @Test("New York, clocks forward (2024-03-10 02:00 EST -> 03:00 EDT): a skipped time fires once at the end of the gap")
    func newYorkSpringForward() throws {
        let zone = Self.newYork
        #expect(Self.minute("2024-03-10", 2, 30).instants(in: zone).isEmpty)
        #expect(Self.minute("2024-03-10", 2, 30).firstInstant(in: zone) == Self.at("2024-03-10T07:00:00Z"))
        let halfPastTwo = try CronExpression("30 2 * * *")
        #expect(halfPastTwo.nextFire(after: Self.at("2024-03-10T06:00:00Z"), in: zone) == Self.at("2024-03-10T07:00:00Z"))
        #expect(halfPastTwo.nextFire(after: Self.at("2024-03-10T07:00:00Z"), in: zone) == Self.at("2024-03-11T06:30:00Z"))
        #expect(halfPastTwo.nextFire(after: Self.at("2024-03-09T07:30:00Z"), in: zone) == Self.at("2024-03-10T07:00:00Z"))
        // 02:00-02:45 do not exist and 03:00 is the gap's end: one fire there, then 03:15 EDT.
        let quarter = try CronExpression("*/15 * * * *")
        #expect(quarter.nextFire(after: Self.at("2024-03-10T06:45:00Z"), in: zone) == Self.at("2024-03-10T07:00:00Z"))
        #expect(quarter.nextFire(after: Self.at("2024-03-10T07:00:00Z"), in: zone) == Self.at("2024-03-10T07:15:00Z"))
        // A time after the gap is unaffected.
        #expect(try CronExpression("0 3 * * *").nextFire(after: Self.at("2024-03-10T06:00:00Z"), in: zone) == Self.at("2024-03-10T07:00:00Z"))
        #expect(try CronExpression("0 4 * * *").nextFire(after: Self.at("2024-03-10T06:00:00Z"), in: zone) == Self.at("2024-03-10T08:00:00Z"))
    }

    @Test("New York, clocks back (2024-11-03 02:00 EDT -> 01:00 EST): a repeated time fires once, at its first occurrence")
    func newYorkFallBack() throws {
        let zone = Self.newYork
        #expect(Self.minute("2024-11-03", 1, 30).instants(in: zone) == [Self.at("2024-11-03T05:30:00Z"), Self.at("2024-11-03T06:30:00Z")])
        #expect(WallClockMinute(Self.at("2024-11-03T05:30:00Z"), in: zone) == Self.minute("2024-11-03", 1, 30))
        #expect(WallClockMinute(Self.at("2024-11-03T06:30:00Z"), in: zone) == Self.minute("2024-11-03", 1, 30))
        let halfPastOne = try CronExpression("30 1 * * *")
        #expect(halfPastOne.nextFire(after: Self.at("2024-11-03T04:00:00Z"), in: zone) == Self.at("2024-11-03T05:30:00Z"))
        #expect(halfPastOne.nextFire(after: Self.at("2024-11-03T05:30:00Z"), in: zone) == Self.at("2024-11-04T06:30:00Z"))
        // Every 15 minutes: 01:45 EDT is followed by 02:00 EST, the repeated hour is not run twice.
        let quarter = try CronExpression("*/15 * * * *")
        #expect(quarter.nextFire(after: Self.at("2024-11-03T05:45:00Z"), in: zone) == Self.at("2024-11-03T07:00:00Z"))
        // A process started inside the second pass fires at the times still ahead of it.
        #expect(quarter.nextFire(after: Self.at("2024-11-03T06:10:00Z"), in: zone) == Self.at("2024-11-03T06:15:00Z"))
        let two = try CronExpression("0 2 * * *")
        #expect(two.nextFire(after: Self.at("2024-11-03T05:00:00Z"), in: zone) == Self.at("2024-11-03T07:00:00Z"))
        #expect(two.nextFire(after: Self.at("2024-11-03T07:00:00Z"), in: zone) == Self.at("2024-11-04T07:00:00Z"))
    }

    @Test("lastFire: the latest fire time within a range, ends included")
    func lastFire() throws {
        let quarter = try CronExpression("*/15 * * * *")
        let start = Self.at("2024-06-14T23:00:00Z")  // midnight in Lagos
        #expect(quarter.lastFire(from: start, through: Self.at("2024-06-15T09:20:00Z"), in: Self.lagos) == Self.at("2024-06-15T09:15:00Z"))
        #expect(quarter.lastFire(from: start, through: start, in: Self.lagos) == start)
        let daily = try CronExpression("0 2 * * *")
        #expect(daily.lastFire(from: start, through: Self.at("2024-06-15T00:59:00Z"), in: Self.lagos) == nil)
        #expect(daily.lastFire(from: start, through: Self.at("2024-06-15T01:00:00Z"), in: Self.lagos) == Self.at("2024-06-15T01:00:00Z"))
    }

    @Test("next fire agrees with a minute-by-minute search (UTC and Lagos, random start times)",
          arguments: ["*/15 * * * *", "*/30 * * * *", "0 2 * * *", "0 3 * * *", "7 */5 * * *", "0 12 * * MON-FRI",
                      "0 0 * * 0,3", "59 23 * * *", "0 0,12 */3 * *"])
    func agreesWithBruteForce(text: String) throws {
        let expression = try CronExpression(text)
        var random = SplitMix64(seed: text.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) })
        for zone in [Self.utc, Self.lagos] {
            for _ in 0..<20 {
                let start = Date(timeIntervalSince1970: TimeInterval(1_700_000_000 + Int(random.next() % 40_000_000)))
                var probe = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
                var expected: Date?
                for _ in 0..<(60 * 24 * 8) {
                    if expression.matches(WallClockMinute(probe, in: zone)) {
                        expected = probe
                        break
                    }
                    probe = probe.addingTimeInterval(60)
                }
                #expect(expression.nextFire(after: start, in: zone) == expected, "\(text) after \(start) in \(zone.identifier)")
            }
        }
    }
}
