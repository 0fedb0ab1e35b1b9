import AnalyticsStore
import Synchronization

/// Small values remembered per cache version of a set of tags (e.g. the loans' as-of date per
/// drilldown filter): whatever changes the value moves the version, so it is read again. Bounded:
/// past versions are never asked for again, and when it holds `capacity` values it starts again empty.
final class VersionMemo<Value: Sendable>: Sendable {
    private struct Key: Hashable {
        var tags: [CacheTag]
        var version: KeyVersion
    }

    private let state = Mutex<[Key: Value]>([:])
    private let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    /// The value stored for `tags` at `version`, if any (`.some(nil)` is a remembered nil).
    func value(tags: [CacheTag], version: KeyVersion) -> Value? {
        state.withLock { $0[Key(tags: tags, version: version)] }
    }

    /// Remembers `value` for `tags` at `version`.
    func store(_ value: Value, tags: [CacheTag], version: KeyVersion) {
        state.withLock { values in
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[Key(tags: tags, version: version)] = value
        }
    }
}
