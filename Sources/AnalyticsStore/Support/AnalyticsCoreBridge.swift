import AnalyticsCore

/// Small conversions between the store's text forms and AnalyticsCore's value types.
enum AnalyticsCoreBridge {
    static func isoDate(daysSinceEpoch: Int) -> String {
        CalendarDate(daysSinceEpoch: Int32(daysSinceEpoch)).description
    }

    static func daysSinceEpoch(iso: String) -> Int? {
        CalendarDate(iso: iso).map { Int($0.daysSinceEpoch) }
    }
}
