import NIOCore
import Synchronization

/// Finished response bodies (with their ETag) of hot reads, in process, for one cache generation
/// at a time, keyed by the request's normalized key: storing a body of another generation empties
/// it first, so bodies of a past generation are neither served nor kept.
/// A body holding audit fields also records its officers and their `AuditCache` stamp, and is used
/// only while that stamp is unchanged. Only used while the subscription is live.
/// Bounded by total bytes: when full it starts again empty.
final class RenderedResponseCache: Sendable {
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

    private struct State {
        var generation: Int64 = .min
        var entries: [String: Entry] = [:]
        var bytes = 0

        mutating func removeAll() {
            entries.removeAll(keepingCapacity: true)
            bytes = 0
        }
    }

    private let state = Mutex(State())
    private let maximumBytes: Int
    private let liveGeneration: @Sendable () -> Int64?

    /// `liveGeneration` is the process's live cache generation (nil while it is not live).
    init(maximumBytes: Int = 24 * 1024 * 1024, liveGeneration: @escaping @Sendable () -> Int64?) {
        self.maximumBytes = maximumBytes
        self.liveGeneration = liveGeneration
    }

    /// The body stored under `key` for `generation`.
    func get(_ key: String, generation: Int64) -> Entry? {
        state.withLock { $0.generation == generation ? $0.entries[key] : nil }
    }

    /// Stores a body rendered for `generation`, if that is still the live generation. A body of a
    /// generation other than the stored one's empties the cache first (generations move on, and
    /// restart if Redis loses its data).
    func set(_ key: String, generation: Int64, _ entry: Entry) {
        let size = entry.size + key.utf8.count
        guard size <= maximumBytes / 8, liveGeneration() == generation else { return }
        state.withLock { s in
            if generation != s.generation {
                s.removeAll()
                s.generation = generation
            }
            if s.bytes + size > maximumBytes { s.removeAll() }
            if let old = s.entries.updateValue(entry, forKey: key) { s.bytes -= old.size + key.utf8.count }
            s.bytes += size
        }
    }
}
