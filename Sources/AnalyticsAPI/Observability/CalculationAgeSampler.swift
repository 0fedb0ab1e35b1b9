import AnalyticsCore
import Synchronization

/// The age in seconds of the newest complete officer-metrics calculation, for `/metrics`, read from
/// the database at most once per `interval` (default 5 s).
///
/// `/metrics` needs no token and Prometheus (several of them, in a high-availability setup) scrapes
/// every few seconds: without this bound each scrape, and anyone calling the open endpoint in a
/// loop, would cost a query. Between reads the last value is served, so the gauge lags by at most
/// `interval`. A failed read keeps the previous value and also waits `interval` before the next
/// try, so a database outage is not hammered by scrapes. Thread-safe.
final class CalculationAgeSampler: Sendable {
    /// How long a read stays current.
    static let defaultInterval: Duration = .seconds(5)

    private struct State {
        var age: Double?
        var readAt: ContinuousClock.Instant?
        var readStart: ContinuousClock.Instant?
    }

    private let repository: any MetricsRepository
    private let interval: Duration
    private let state = Mutex(State())

    init(repository: any MetricsRepository, interval: Duration = CalculationAgeSampler.defaultInterval) {
        self.repository = repository
        self.interval = interval
    }

    /// The age now, or nil when there is no complete calculation (or none could be read yet).
    func age() async -> Double? {
        let now = ContinuousClock.now
        let cached: Double?? = state.withLock { state in
            if let readAt = state.readAt, now - readAt < interval { return .some(state.age.map { $0 + (now - readAt).seconds }) }
            // One scrape reads; others arriving meanwhile get the previous value instead of a query of their own.
            if let started = state.readStart, now - started < interval { return .some(state.age) }
            state.readStart = now
            return .none
        }
        if let cached { return cached }
        let read = try? await repository.lastCompletedCalculation()
        return state.withLock { state in
            if let read { state.age = read }
            state.readAt = now
            state.readStart = nil
            return state.age
        }
    }
}

