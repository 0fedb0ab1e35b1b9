import AnalyticsStore
import Synchronization

/// What this process knows of the cache's versions from the invalidation channels, and whether it
/// can be trusted (the subscription is live): the generation and every tag version (a tag not held
/// is at version 0: the whole hash is read when the subscription comes up, and every bump after
/// that is announced). While it is not live, readers ask Redis and the in-process layers are bypassed.
///
/// An announcement marks what it names as *pending* until the subscriber has re-read it from Redis:
/// meanwhile readers of those entries ask Redis too, so no entry whose tag (or generation) moved is
/// served from memory once the announcement has arrived.
final class GenerationTracker: Sendable {
    private struct State {
        var generation: Int64 = 0
        var live = false
        /// Counts every change of generation or liveness, so a generation read from Redis is adopted
        /// only if nothing changed while it was being read (`observed(_:since:)`). Tag changes do not
        /// count: tag versions are only ever raised, whatever the order the readings arrive in.
        var version: UInt64 = 0
        /// A generation announcement waits for its re-read.
        var generationPending = false
        var tags: [CacheTag: Int64] = [:]
        /// Tags announced and not yet re-read.
        var pendingTags: Set<CacheTag> = []

        mutating func set(_ generation: Int64, live: Bool) {
            self.generation = generation
            self.live = live
            version &+= 1
        }

        /// Raises held versions to `versions` (never lowers one: every value was read from Redis,
        /// where they only grow, so the higher one is the later read). Returns how many rose.
        mutating func raise(_ versions: [CacheTag: Int64]) -> Int {
            var raised = 0
            for (tag, value) in versions where value > tags[tag, default: 0] {
                tags[tag] = value
                raised += 1
            }
            return raised
        }
    }

    private let state = Mutex(State())
    private let onChange: @Sendable (Int64?) -> Void

    /// `onChange` runs after every change of generation or liveness, with the live generation (nil:
    /// not live), e.g. to drop local entries. It runs under the tracker's lock, so the calls arrive
    /// in order; it must not call back into the tracker. Tag changes do not call it: entries carry
    /// their tag versions and are checked on every read.
    init(onChange: @escaping @Sendable (Int64?) -> Void = { _ in }) {
        self.onChange = onChange
    }

    /// The generation when the subscription is live, else nil.
    var liveGeneration: Int64? {
        state.withLock { $0.live ? $0.generation : nil }
    }

    /// The version of an entry tagged `tags` (in `CacheKey.tags` order) when it is known in memory:
    /// live, and neither the generation nor one of `tags` waiting for a re-read. Else nil.
    func liveVersion(for tags: [CacheTag]) -> KeyVersion? {
        state.withLock { s in
            guard s.live, !s.generationPending else { return nil }
            var versions: [Int64] = []
            versions.reserveCapacity(tags.count)
            for tag in tags {
                if !s.pendingTags.isEmpty, s.pendingTags.contains(tag) { return nil }
                versions.append(s.tags[tag, default: 0])
            }
            return KeyVersion(generation: s.generation, tagVersions: versions)
        }
    }

    /// The change counter, to pass to `observed(_:since:)`: read it before reading Redis.
    var version: UInt64 {
        state.withLock { $0.version }
    }

    /// The subscription is up and Redis says the generation is `generation` and the tags are at
    /// `tagVersions` (the whole hash).
    func connected(generation: Int64, tagVersions: [CacheTag: Int64] = [:]) {
        state.withLock {
            $0.tags = tagVersions
            $0.pendingTags = []
            $0.generationPending = false
            $0.set(generation, live: true)
            onChange(generation)
        }
    }

    /// A generation announced on the channel with its number (workers from before the pipelined
    /// bump); older announcements are ignored.
    func announced(_ generation: Int64) {
        state.withLock { s in
            guard generation > s.generation else { return }
            s.set(generation, live: s.live)
            onChange(s.live ? generation : nil)
        }
    }

    /// A generation bump was announced without its number: readers ask Redis until
    /// `generationRead(_:since:)`. Returns the change counter to pass to it.
    func generationAnnounced() -> UInt64 {
        state.withLock { s in
            s.generationPending = true
            s.version &+= 1
            return s.version
        }
    }

    /// The generation re-read after `generationAnnounced()` returned `version`: adopted unless
    /// something changed the tracker since (a periodic re-read that started later adopted its own,
    /// newer, reading). Either way the announcement is no longer pending.
    func generationRead(_ generation: Int64, since version: UInt64) {
        state.withLock { s in
            s.generationPending = false
            guard s.version == version, s.generation != generation else { return }
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

    /// Tags announced on the channel: readers of their entries ask Redis until `tagsRead(_:)`.
    func tagsAnnounced(_ tags: [CacheTag]) {
        state.withLock { s in
            s.pendingTags.formUnion(tags)
        }
    }

    /// The versions of announced tags, re-read from Redis: held, and no longer pending.
    func tagsRead(_ versions: [CacheTag: Int64]) {
        state.withLock { s in
            _ = s.raise(versions)
            s.pendingTags.subtract(versions.keys)
        }
    }

    /// Every tag version, re-read from Redis because an announcement was missed: versions higher
    /// than the ones held are adopted. Returns how many rose.
    @discardableResult
    func tagsObserved(_ versions: [CacheTag: Int64]) -> Int {
        state.withLock { $0.raise(versions) }
    }

    /// The subscription is down: stop trusting the in-memory generation and tag versions.
    func disconnected() {
        state.withLock {
            $0.live = false
            $0.generationPending = false
            $0.pendingTags = []
            $0.tags = [:]
            $0.version &+= 1
            onChange(nil)
        }
    }
}
