import Synchronization

/// What the invalidation subscriber knows of a counter that is incremented in the same pipeline as
/// each announcement (audit writes, tag invalidations): its value at the last check and the messages
/// received since. A counter that moved further than the messages received (a message was missed)
/// or went back (Redis restarted empty) means what the messages maintain may be out of date.
final class CounterWatch: Sendable {
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

    /// A message arrived.
    func announced() {
        state.withLock { $0.messages += 1 }
    }

    /// Compares `counter`, just read, with what the messages explain; true when what they maintain
    /// must be read again. A message still in flight during the read also gives true: reading again
    /// costs little, serving old values is wrong.
    func check(_ counter: Int64) -> Bool {
        state.withLock { s in
            let unexplained = counter < s.counter || counter - s.counter > s.messages
            s = State(counter: counter)
            return unexplained
        }
    }
}
