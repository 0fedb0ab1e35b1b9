import Synchronization

/// What the invalidation subscriber knows of the audit counter: its value at the last check and the
/// audit messages received since. Every audit write increments the counter and publishes in one
/// pipeline, so a counter that moved further than the messages received (a message was missed) or
/// went back (Redis restarted empty) means the audit cache may hold old rows.
final class AuditCounterWatch: Sendable {
    private struct State {
        var counter: Int64 = 0
        var messages: Int64 = 0
    }

    private let state = Mutex(State())

    init() {}

    /// Starts over from `counter` (the subscription just went live).
    func reset(to counter: Int64) {
        state.withLock { $0 = State(counter: counter) }
    }

    /// An audit message arrived.
    func announced() {
        state.withLock { $0.messages += 1 }
    }

    /// Compares `counter`, just read, with what the messages explain; true when the audit cache must
    /// be emptied. A message still in flight during the read also gives true: an empty cache costs
    /// one query per officer, a stale one shows old fields.
    func check(_ counter: Int64) -> Bool {
        state.withLock { s in
            let unexplained = counter < s.counter || counter - s.counter > s.messages
            s = State(counter: counter)
            return unexplained
        }
    }
}
