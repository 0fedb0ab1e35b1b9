import Foundation

/// The wall clock the schedule reads: the real one in the daemon, a manual one in tests.
protocol DaemonClock: Sendable {
    /// The current instant.
    func now() -> Date

    /// Suspends until `now() >= deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's wall clock.
struct SystemClock: DaemonClock {
    func now() -> Date { Date() }

    /// Sleeps in steps of at most a minute, so a step of the system clock (NTP, a resumed VM) is
    /// noticed within one.
    func sleep(until deadline: Date) async throws {
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return }
            try await Task.sleep(for: .seconds(min(left, 60)))
        }
    }
}
