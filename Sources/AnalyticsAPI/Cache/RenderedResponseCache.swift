import NIOCore
import Synchronization

/// Finished response bodies (with their ETag) of hot reads, in process, for the live cache
/// generation only, keyed by the request's `CacheKey`. The `GenerationTracker` tells it every
/// change of generation or liveness (`setLiveGeneration`), which empties it: bodies of a past
/// generation, or from before a lost subscription, are neither served nor kept, and a late body
/// of a past generation is refused. Each body also keeps the versions of its key's tags it was
/// rendered at, and is served only at those versions: a body of a tag invalidated since (stored
/// late or not) is never served again.
/// A body holding audit fields also records its officers and their `AuditCache` stamp, and is used
/// only while that stamp is unchanged.
/// Bounded by total bytes (when full it starts again empty) and in time: a body is served at most
/// `ttl` after it was stored (default `defaultTTL`, a constant), the bound on a wrong body if every
/// other defence failed (a lost message and the periodic generation check).
final class RenderedResponseCache: Sendable {
    /// How long a body is served by default.
    static let defaultTTL: Duration = .seconds(60)

    /// A finished body.
    struct Entry: Sendable {
        var body: ByteBuffer
        var etag: String
        /// The officers whose audit fields the body holds, and their stamp when it was rendered.
        var audited: AuditedRows?

        var size: Int { body.readableBytes + (audited?.size ?? 0) }
    }

    /// The officers whose audit fields a body holds, and their stamp.
    struct AuditedRows: Sendable {
        var ids: [String]
        var stamp: UInt64

        var size: Int { ids.reduce(8) { $0 + $1.utf8.count + 16 } }
    }

    private struct Stored {
        var entry: Entry
        var tagVersions: [Int64]
        var expires: ContinuousClock.Instant

        var size: Int { entry.size + tagVersions.count * 8 }
    }

    private struct State {
        /// The live generation; nil while the subscription is down (nothing is kept).
        var live: Int64?
        var entries: [CacheKey: Stored] = [:]
        var bytes = 0

        mutating func removeAll() {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
        }
    }

    private let state = Mutex(State())
    private let maximumBytes: Int
    /// What a key costs in the byte bound (its digest and family).
    private let keySize = 48
    private let ttl: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    /// `now` is the clock the TTL is measured on (tests pass one they move).
    init(maximumBytes: Int = 24 * 1024 * 1024, ttl: Duration = defaultTTL,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.maximumBytes = maximumBytes
        self.ttl = ttl
        self.now = now
    }

    /// The live generation changed (nil: the subscription is down): drops every body.
    func setLiveGeneration(_ generation: Int64?) {
        state.withLock { s in
            s.live = generation
            s.removeAll()
        }
    }

    /// The body stored under `key` at `version` (the key's live version).
    func get(_ key: CacheKey, version: KeyVersion) -> Entry? {
        let now = self.now()
        return state.withLock { s in
            guard s.live == version.generation, let stored = s.entries[key], stored.tagVersions == version.tagVersions else {
                return nil
            }
            guard stored.expires > now else {
                s.bytes -= stored.size + keySize
                s.entries[key] = nil
                return nil
            }
            return stored.entry
        }
    }

    /// Stores a body rendered at `version` (read before its rows were), if its generation is still
    /// the live one. Its tag versions are kept with it and checked by `get`.
    func set(_ key: CacheKey, version: KeyVersion, _ entry: Entry) {
        let stored = Stored(entry: entry, tagVersions: version.tagVersions, expires: now() + ttl)
        let size = stored.size + keySize
        guard size <= maximumBytes / 8 else { return }
        state.withLock { s in
            guard s.live == version.generation else { return }
            // A body rendered before a tag moved, arriving after one rendered since: the newer stays.
            if let old = s.entries[key], zip(old.tagVersions, version.tagVersions).contains(where: { $0 > $1 }) { return }
            if s.bytes + size > maximumBytes { s.removeAll() }
            if let old = s.entries.updateValue(stored, forKey: key) { s.bytes -= old.size + keySize }
            s.bytes += size
        }
    }
}
