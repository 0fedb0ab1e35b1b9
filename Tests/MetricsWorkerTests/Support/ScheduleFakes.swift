import AnalyticsCore
import Foundation
@testable import MetricsWorker
import Synchronization

/// A lease that refuses `refusals` times, then is always granted.
final class FakeLease: SchedulingLease, Sendable {
    private let refusalsLeft: Mutex<Int>
    private let attemptCount = Mutex(0)

    init(refusals: Int = 0) {
        refusalsLeft = Mutex(refusals)
    }

    /// How many times the lease was asked for.
    var attempts: Int { attemptCount.withLock { $0 } }

    func whileHeld(_ body: (LeaseToken) async throws -> Void) async throws -> Bool {
        attemptCount.withLock { $0 += 1 }
        let refuse = refusalsLeft.withLock { left -> Bool in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if refuse { return false }
        try await body(LeaseToken())
        return true
    }
}

/// A history in which every calculation type has completed runs (nothing was missed), except
/// those in `missing`.
struct FakeHistory: ScheduleHistory {
    var missing: Set<String> = []

    func completedRun(of calculationType: String, date: CalendarDate, since: Date) async throws -> Bool {
        !missing.contains(calculationType)
    }

    func markInterrupted(_ calculationTypes: [String], date: CalendarDate, since: Date, reason: String) async throws -> Int { 0 }
}

/// An interrupter that counts its calls and runs `action` on each.
final class FakeInterrupter: JobInterrupter, Sendable {
    private let calls = Mutex(0)
    private let action: @Sendable () -> Void

    init(_ action: @escaping @Sendable () -> Void = {}) {
        self.action = action
    }

    var count: Int { calls.withLock { $0 } }

    func interruptJobs() async -> Int {
        calls.withLock { $0 += 1 }
        action()
        return 1
    }
}

/// A gate a fake job waits at until the test opens it (or fails it); a cancelled waiter throws
/// `CancellationError`, so a failing test cannot hang on it.
final class Gate: Sendable {
    private struct State {
        var result: Result<Void, any Error>?
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state = Mutex(State())

    func wait() async throws {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let result = state.withLock { s -> Result<Void, any Error>? in
                    if let result = s.result { return result }
                    if s.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    s.waiters[id] = continuation
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let waiter = s.waiters.removeValue(forKey: id) else {
                    s.cancelled.insert(id)
                    return nil
                }
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func open() { finish(.success(())) }

    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<Void, any Error>) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.result = result
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        waiters.forEach { $0.resume(with: result) }
    }
}

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
