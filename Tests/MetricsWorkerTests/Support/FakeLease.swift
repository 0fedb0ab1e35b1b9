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
