import Foundation
@testable import MetricsWorker
import Synchronization

/// A wall clock that moves only when the test says: `sleep(until:)` returns once `advance(to:)`
/// has moved it past the deadline, or throws when the sleeping task is cancelled.
final class ManualClock: DaemonClock, Sendable {
    private struct Sleeper {
        let id: Int
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        var cancelled: Set<Int> = []
        var nextID = 0
        var sleeps = 0
    }

    private let state: Mutex<State>

    init(_ start: Date) {
        state = Mutex(State(now: start))
    }

    func now() -> Date { state.withLock { $0.now } }

    /// How many times `sleep(until:)` has been entered.
    var sleeps: Int { state.withLock { $0.sleeps } }

    /// How many sleepers wait.
    var sleeping: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: Date) async throws {
        let id = state.withLock { s in
            s.nextID += 1
            s.sleeps += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { s -> Result<Void, any Error>? in
                    if s.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if s.now >= deadline { return .success(()) }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else {
                    s.cancelled.insert(id)
                    return nil
                }
                return s.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock to `date` and wakes every sleeper whose deadline has come.
    func advance(to date: Date) {
        let woken = state.withLock { s -> [Sleeper] in
            s.now = date
            let due = s.sleepers.filter { $0.deadline <= date }
            s.sleepers.removeAll { $0.deadline <= date }
            return due
        }
        woken.forEach { $0.continuation.resume() }
    }
}
