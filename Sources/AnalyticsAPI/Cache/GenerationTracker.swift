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
    private let onChange: @Sendable () -> Void

    /// `onChange` runs after every change of generation or liveness (e.g. to drop local entries).
    init(onChange: @escaping @Sendable () -> Void = {}) {
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
        }
        onChange()
    }

    /// A generation announced on the channel; older announcements are ignored.
    func announced(_ generation: Int64) {
        let changed = state.withLock { s -> Bool in
            guard generation > s.generation else { return false }
            s.generation = generation
            return true
        }
        if changed { onChange() }
    }

    /// The subscription is down: stop trusting the in-memory generation.
    func disconnected() {
        state.withLock { $0.live = false }
        onChange()
    }
}
