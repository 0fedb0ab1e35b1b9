import Synchronization

/// A small in-process cache of rendered bodies, keyed by `CacheKey`, each kept with the version it was
/// loaded at and served only at that version (a new generation or a bumped tag never sees old
/// entries; a key holds one version, the last stored). Bounded by total bytes; entries expire with
/// the same TTL as Redis. Thread-safe.
final class LocalCache: Sendable {
    private struct Entry {
        var value: [UInt8]
        var version: KeyVersion
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [CacheKey: Entry] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    private let maximumBytes: Int
    private let ttl: Duration

    init(maximumBytes: Int, ttl: Duration) {
        self.maximumBytes = maximumBytes
        self.ttl = ttl
    }

    /// The entry under `key` stored at `version`, if present and fresh.
    func get(_ key: CacheKey, version: KeyVersion) -> [UInt8]? {
        let now = ContinuousClock.now
        return state.withLock { s in
            guard let entry = s.entries[key], entry.version == version else { return nil }
            guard entry.expires > now else {
                s.bytes -= entry.value.count
                s.entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    /// Stores an entry loaded at `version`, replacing the key's entry of any other version; when
    /// full, everything is dropped first (entries are cheap to refill).
    func set(_ key: CacheKey, version: KeyVersion, _ value: [UInt8]) {
        guard value.count <= maximumBytes / 4 else { return }
        let entry = Entry(value: value, version: version, expires: .now + ttl)
        state.withLock { s in
            if s.bytes + value.count > maximumBytes {
                s.entries.removeAll(keepingCapacity: true)
                s.bytes = 0
            }
            if let old = s.entries.updateValue(entry, forKey: key) { s.bytes -= old.value.count }
            s.bytes += value.count
        }
    }

    /// Drops every entry.
    func removeAll() {
        state.withLock { s in
            s.entries.removeAll(keepingCapacity: true)
            s.bytes = 0
        }
    }
}
