import NIOCore
import Synchronization

/// Finished response bodies (with their ETag) of hot reads, in process, for the live cache
/// generation only, keyed by the request's `CacheKey`. The `GenerationTracker` tells it every
/// change of generation or liveness (`setLiveGeneration`), which empties it: bodies of a past
/// generation, or from before a lost subscription, are neither served nor kept, and a late body
/// of a past generation is refused.
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
        var expires: ContinuousClock.Instant
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

    /// The body stored under `key` for `generation`.
    func get(_ key: CacheKey, generation: Int64) -> Entry? {
        let now = self.now()
        return state.withLock { s in
            guard s.live == generation, let stored = s.entries[key] else { return nil }
            guard stored.expires > now else {
                s.bytes -= stored.entry.size + keySize
                s.entries[key] = nil
                return nil
            }
            return stored.entry
        }
    }

    /// Stores a body rendered for `generation`, if that is still the live generation.
    func set(_ key: CacheKey, generation: Int64, _ entry: Entry) {
        let size = entry.size + keySize
        guard size <= maximumBytes / 8 else { return }
        let stored = Stored(entry: entry, expires: now() + ttl)
        state.withLock { s in
            guard s.live == generation else { return }
            if s.bytes + size > maximumBytes { s.removeAll() }
            if let old = s.entries.updateValue(stored, forKey: key) { s.bytes -= old.entry.size + keySize }
            s.bytes += size
        }
    }
}
