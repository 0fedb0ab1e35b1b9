import AnalyticsCore
import ArgumentParser
import Foundation

/// Options every metric job takes: `--as-of` and `--partition`.
struct JobOptions: ParsableArguments {
    @Option(name: .long, help: "The as-of date D, YYYY-MM-DD (default: today in ANALYTICS_TIMEZONE).")
    var asOf: String?

    @Option(name: .long, help: "K/N: handle the officers whose FNV-1a hash mod N is K (default 0/1, all).")
    var partition = "0/1"

    func validate() throws {
        if let asOf, CalendarDate(iso: asOf) == nil {
            throw ValidationError("--as-of '\(asOf)' is not a date YYYY-MM-DD")
        }
        guard Partition(partition) != nil else {
            throw ValidationError("--partition '\(partition)' must be K/N with 0 <= K < N")
        }
    }

    /// The as-of date: the option, or today in the business time zone.
    func date(timeZone identifier: String) throws -> CalendarDate {
        if let asOf, let date = CalendarDate(iso: asOf) { return date }
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

    var parsedPartition: Partition { Partition(partition) ?? .all }
}
