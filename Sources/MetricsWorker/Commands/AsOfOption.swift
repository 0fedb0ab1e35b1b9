import AnalyticsCore
import ArgumentParser
import Foundation

/// `--as-of YYYY-MM-DD`, the date D a command computes for. A value that is not a calendar date
/// is ArgumentParser's usage error naming the option (exit 64).
struct AsOfOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The as-of date D (default: today in ANALYTICS_TIMEZONE).",
                                            valueName: "YYYY-MM-DD"))
    var asOf: CalendarDate?

    /// `asOf` when given, else today in the business time zone `identifier`.
    static func date(_ asOf: CalendarDate?, timeZone identifier: String) throws(ValidationError) -> CalendarDate {
        if let asOf { return asOf }
        return try today(timeZone: identifier)
    }

    /// Today's date in the time zone `identifier` (an IANA name, e.g. `Africa/Lagos`).
    static func today(timeZone identifier: String) throws(ValidationError) -> CalendarDate {
        guard let zone = TimeZone(identifier: identifier) else {
            throw ValidationError("ANALYTICS_TIMEZONE '\(identifier)' is not a known time zone")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: Date())
        guard let year = parts.year, let month = parts.month, let day = parts.day,
              let today = CalendarDate(year: year, month: month, day: day) else {
            throw ValidationError("cannot tell today's date in \(identifier)")
        }
        return today
    }

    /// Refuses a date after tomorrow for the jobs that write the loan states: they keep the latest
    /// date computed, so a mistyped future year would hold them there (every later run skipped).
    static func refuseFutureStatesDate(_ date: CalendarDate, timeZone identifier: String) throws(ValidationError) {
        guard let today = try? today(timeZone: identifier), date > today.adding(days: 1) else { return }
        throw ValidationError("""
            --as-of \(date) is in the future (today is \(today) in \(identifier)); \
            loan states keep the latest date computed, so a future one would hold them there
            """)
    }
}
