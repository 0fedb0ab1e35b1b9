@testable import MetricsWorker
import Synchronization

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
