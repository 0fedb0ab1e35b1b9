import AnalyticsCore
import Synchronization

/// Records the runs of fake jobs: name and business date, at start and at end.
final class RunLog: Sendable {
    private let entries = Mutex<[(name: String, date: CalendarDate, finished: Bool)]>([])

    func started(_ name: String, _ date: CalendarDate) { entries.withLock { $0.append((name, date, false)) } }
    func finished(_ name: String, _ date: CalendarDate) { entries.withLock { $0.append((name, date, true)) } }

    /// How many runs of `name` started.
    func starts(_ name: String) -> Int { entries.withLock { $0.filter { $0.name == name && !$0.finished }.count } }

    /// The dates the runs of `name` were for.
    func dates(_ name: String) -> [CalendarDate] { entries.withLock { $0.filter { $0.name == name && !$0.finished }.map(\.date) } }

    /// Names in start order.
    var order: [String] { entries.withLock { $0.filter { !$0.finished }.map(\.name) } }
}
