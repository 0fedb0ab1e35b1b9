import Synchronization

/// When something last happened on a consumer's subscription (a message arrived, a handler
/// finished), and a watcher that reports when nothing has for a given time.
final class StompIdleClock: Sendable {
    private let last = Mutex(ContinuousClock.now)

    /// Records activity now.
    func touch() { last.withLock { $0 = .now } }

    /// Whether nothing happened for at least `timeout`.
    func isIdle(for timeout: Duration) -> Bool {
        ContinuousClock.now - last.withLock { $0 } >= timeout
    }

    /// Calls `onIdle` whenever nothing has happened for `timeout` (again after each further
    /// `timeout` of quiet), until the task is cancelled. Sleeps until the next possible deadline;
    /// it never polls faster than that.
    func watch(timeout: Duration, onIdle: @Sendable () -> Void) async {
        while !Task.isCancelled {
            let remaining = timeout - (ContinuousClock.now - last.withLock { $0 })
            do {
                if remaining <= .zero {
                    onIdle()
                    try await Task.sleep(for: timeout)
                } else {
                    try await Task.sleep(for: remaining)
                }
            } catch {
                return
            }
        }
    }
}
