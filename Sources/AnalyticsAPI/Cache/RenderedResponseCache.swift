import NIOCore
import Synchronization

/// Finished response bodies (with their ETag) of hot reads, in process, keyed by the cache
/// generation, the audit epoch and the request's normalized key, so a new generation or any audit
/// write makes old bodies unreachable. Only used while both are live (the subscription is up).
/// Bounded by total bytes: when full it starts again empty (old keys are dead weight anyway).
final class RenderedResponseCache: Sendable {
    /// A finished body.
    struct Entry: Sendable {
        var body: ByteBuffer
        var etag: String
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    private let maximumBytes: Int

    init(maximumBytes: Int = 24 * 1024 * 1024) {
        self.maximumBytes = maximumBytes
    }

    /// The body stored under `key`.
    func get(_ key: String) -> Entry? { state.withLock { $0.entries[key] } }

    /// Stores a body.
    func set(_ key: String, _ entry: Entry) {
        let size = entry.body.readableBytes + key.utf8.count
        guard size <= maximumBytes / 8 else { return }
        state.withLock { s in
            if s.bytes + size > maximumBytes {
                s.entries.removeAll(keepingCapacity: true)
                s.bytes = 0
            }
            if let old = s.entries.updateValue(entry, forKey: key) { s.bytes -= old.body.readableBytes + key.utf8.count }
            s.bytes += size
        }
    }
}
