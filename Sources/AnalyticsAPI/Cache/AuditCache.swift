import Synchronization

/// An in-process copy of audit rows (a small table joined into every officer read), trusted only
/// while the invalidation subscription is live. A write on any replica publishes the officer on the
/// audit channel; the writing replica also drops its own entry before it responds.
///
/// Every invalidation ticks a clock and records the tick against its officer, so a set of officers
/// has a *stamp*: the newest tick among them (or the last reset). The stamp changes when, and only
/// when, one of those officers is written or the cache is reset. It gates two things:
/// - `store` keeps a row loaded from the primary only if its officer was not invalidated after the
///   lookup that missed it (a write elsewhere in the book does not throw the load away);
/// - a finished officer page stays valid while the stamp of its officers is unchanged.
///
/// Each row is kept at most `ttl` (default `defaultTTL`, a constant): the bound on how long a row
/// can stay wrong if every other defence failed (a lost message and the periodic counter check).
final class AuditCache: Sendable {
    /// How long a row is kept by default.
    static let defaultTTL: Duration = .seconds(60)

    private struct Entry {
        var info: AuditInfo
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var live = false
        var clock: UInt64 = 0
        /// The clock at the last reset; stamps older than this are refused.
        var floor: UInt64 = 0
        var entries: [String: Entry] = [:]
        /// The clock at each officer's last invalidation since the floor.
        var invalidated: [String: UInt64] = [:]

        func stamp<S: Sequence<String>>(_ ids: S) -> UInt64 {
            var newest = floor
            for id in ids { if let tick = invalidated[id], tick > newest { newest = tick } }
            return newest
        }

        mutating func reset() {
            clock &+= 1
            floor = clock
            entries.removeAll(keepingCapacity: true)
            invalidated.removeAll(keepingCapacity: true)
        }
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let ttl: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    /// `now` is the clock the TTL is measured on (tests pass one they move).
    init(capacity: Int = 100_000, ttl: Duration = defaultTTL,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.capacity = capacity
        self.ttl = ttl
        self.now = now
    }

    /// The cached rows of `ids` (an officer without a row is `.none`), the ids not cached, and the
    /// stamp of `ids` (nil while not live) to pass back to `store`.
    func lookup(_ ids: [String]) -> (found: [String: AuditInfo], missing: [String], stamp: UInt64?) {
        let now = self.now()
        return state.withLock { s in
            guard s.live else { return ([:], ids, nil) }
            var found: [String: AuditInfo] = [:]
            found.reserveCapacity(ids.count)
            var missing: [String] = []
            for id in ids {
                if let entry = s.entries[id], entry.expires > now {
                    found[id] = entry.info
                } else {
                    s.entries[id] = nil
                    missing.append(id)
                }
            }
            return (found, missing, s.stamp(ids))
        }
    }

    /// Stores rows loaded from the primary, except those invalidated since the lookup that gave
    /// `stamp` (and none if the cache was reset since).
    func store(_ rows: [String: AuditInfo], stamp: UInt64?) {
        guard let stamp else { return }
        let expires = now() + ttl
        state.withLock { s in
            guard s.live, stamp >= s.floor else { return }
            if s.entries.count + rows.count > capacity { s.reset() ; return }
            for (id, info) in rows where (s.invalidated[id] ?? 0) <= stamp {
                s.entries[id] = Entry(info: info, expires: expires)
            }
        }
    }

    /// The stamp of `ids` while live, else nil. Equal stamps mean none of `ids` was written between.
    func stamp<S: Sequence<String>>(_ ids: S) -> UInt64? {
        state.withLock { s in s.live ? s.stamp(ids) : nil }
    }

    /// Drops one officer's row and moves the stamp of every set that holds it.
    func invalidate(officerID: String) {
        state.withLock { s in
            if s.invalidated.count >= capacity { s.reset() }
            s.clock &+= 1
            s.invalidated[officerID] = s.clock
            s.entries[officerID] = nil
        }
    }

    /// Empties the cache and moves every stamp (audit writes may have been missed), staying live.
    func removeAll() {
        state.withLock { $0.reset() }
    }

    /// Turns the cache on (subscription up) or off; either way it starts empty.
    func setLive(_ live: Bool) {
        state.withLock { s in
            s.live = live
            s.reset()
        }
    }
}
