import AnalyticsCore
import Foundation
@testable import MetricsWorker

/// A history in which every calculation type has completed runs (nothing was missed), except
/// those in `missing`.
struct FakeHistory: ScheduleHistory {
    var missing: Set<String> = []

    func completedRun(of calculationType: String, date: CalendarDate, since: Date) async throws -> Bool {
        !missing.contains(calculationType)
    }

    func markInterrupted(_ calculationTypes: [String], date: CalendarDate, since: Date, reason: String) async throws -> Int { 0 }
}
