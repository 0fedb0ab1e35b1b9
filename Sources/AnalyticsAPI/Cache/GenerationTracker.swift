import Synchronization

/// The cache generation this process knows from the invalidation channel, and whether it can be
/// trusted (the subscription is live). While it is not live, readers ask Redis for the generation
/// and the in-process layer is bypassed.
final class GenerationTracker: Sendable {
    private struct State {
        var generation: Int64 = 0
        var live = false
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

    /// The subscription is up and Redis says the generation is `generation`.
    func connected(generation: Int64) {
        state.withLock {
            $0.generation = generation
            $0.live = true
            onChange(generation)
        }
    }

    /// A generation announced on the channel; older announcements are ignored.
    func announced(_ generation: Int64) {
        state.withLock { s in
            guard generation > s.generation else { return }
            s.generation = generation
            onChange(s.live ? generation : nil)
        }
    }

    /// The subscription is down: stop trusting the in-memory generation.
    func disconnected() {
        state.withLock {
            $0.live = false
            onChange(nil)
        }
    }
}
