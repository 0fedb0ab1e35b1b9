import Synchronization

/// An in-process copy of audit rows (a small table joined into every officer read), trusted only
/// while the invalidation subscription is live. A write on any replica publishes the officer on the
/// audit channel; the writing replica also drops its own entry before it responds.
final class AuditCache: Sendable {
    private struct State {
        var live = false
        var epoch: UInt64 = 0
        var entries: [String: AuditInfo] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The cached rows of `ids` (an officer without a row is `.none`), the ids not cached, and the
    /// epoch to pass back to `store`.
    func lookup(_ ids: [String]) -> (found: [String: AuditInfo], missing: [String], epoch: UInt64?) {
        state.withLock { s in
            guard s.live else { return ([:], ids, nil) }
            var found: [String: AuditInfo] = [:]
            var missing: [String] = []
            for id in ids {
                if let info = s.entries[id] { found[id] = info } else { missing.append(id) }
            }
            return (found, missing, s.epoch)
        }
    }

    /// Stores rows loaded from the primary, unless anything was invalidated since `epoch`.
    func store(_ rows: [String: AuditInfo], epoch: UInt64?) {
        guard let epoch else { return }
        state.withLock { s in
            guard s.live, s.epoch == epoch else { return }
            if s.entries.count + rows.count > capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries.merge(rows) { _, new in new }
        }
    }

    /// The epoch while live (it changes with every invalidation), else nil.
    var liveEpoch: UInt64? { state.withLock { $0.live ? $0.epoch : nil } }

    /// Drops one officer's row.
    func invalidate(officerID: String) {
        state.withLock { s in
            s.epoch &+= 1
            s.entries[officerID] = nil
        }
    }

    /// Turns the cache on (subscription up) or off; either way it starts empty.
    func setLive(_ live: Bool) {
        state.withLock { s in
            s.live = live
            s.epoch &+= 1
            s.entries.removeAll()
        }
    }
}
