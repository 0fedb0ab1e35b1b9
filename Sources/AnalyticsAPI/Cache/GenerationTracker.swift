import Synchronization

/// The cache generation this process knows from the invalidation channel, and whether it can be
/// trusted (the subscription is live). While it is not live, readers ask Redis for the generation
/// and the in-process layer is bypassed.
final class GenerationTracker: Sendable {
    private struct State {
        var generation: Int64 = 0
        var live = false
        /// Counts every change, so a value read from Redis is adopted only if nothing changed while
        /// it was being read (`observed(_:since:)`).
        var version: UInt64 = 0

        mutating func set(_ generation: Int64, live: Bool) {
            self.generation = generation
            self.live = live
            version &+= 1
        }
    }

    private let state = Mutex(State())
    private let onChange: @Sendable (Int64?) -> Void

    /// `onChange` runs after every change of generation or liveness, with the live generation (nil:
    /// not live), e.g. to drop local entries. It runs under the tracker's lock, so the calls arrive
    /// in order; it must not call back into the tracker.
    init(onChange: @escaping @Sendable (Int64?) -> Void = { _ in }) {
        self.onChange = onChange
    }

    /// The generation when the subscription is live, else nil.
    var liveGeneration: Int64? {
        state.withLock { $0.live ? $0.generation : nil }
    }

    /// The change counter, to pass to `observed(_:since:)`: read it before reading Redis.
    var version: UInt64 {
        state.withLock { $0.version }
    }

    /// The subscription is up and Redis says the generation is `generation`.
    func connected(generation: Int64) {
        state.withLock {
            $0.set(generation, live: true)
            onChange(generation)
        }
    }

    /// A generation announced on the channel; older announcements are ignored.
    func announced(_ generation: Int64) {
        state.withLock { s in
            guard generation > s.generation else { return }
            s.set(generation, live: s.live)
            onChange(s.live ? generation : nil)
        }
    }

    /// The generation read from Redis after `version` was taken: adopted when it differs from the
    /// known one, higher (a missed message) or lower (Redis restarted and lost the counter), unless
    /// something changed the tracker meanwhile (then the read may predate that change; the next one
    /// decides). Returns true when it was adopted.
    @discardableResult
    func observed(_ generation: Int64, since version: UInt64) -> Bool {
        state.withLock { s in
            guard s.version == version, s.generation != generation else { return false }
            s.set(generation, live: s.live)
            onChange(s.live ? generation : nil)
            return true
        }
    }

    /// The subscription is down: stop trusting the in-memory generation.
    func disconnected() {
        state.withLock {
            $0.live = false
            $0.version &+= 1
            onChange(nil)
        }
    }
}
