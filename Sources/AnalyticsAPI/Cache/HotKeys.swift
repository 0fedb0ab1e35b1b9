import AnalyticsStore
import Synchronization

/// The cached reads this replica served recently, each with the load that fills it, so that an
/// invalidation moving them (a tag bumped by the daemon, a new generation) has them loaded again
/// before the next reader asks: `RefreshAheadService` takes them from `takeDue()`.
///
/// Under a stream of repayments the daemon re-ranks the book about once a second, which moves every
/// list page that shows ranks (the `book` tag). Without this, the first reader of each such page
/// after every batch waits for its query; with it, a reader finds the page loaded (or joins its
/// load in flight through `LoadCoalescer`). Only reads of the last `window` are kept, at most
/// `capacity` of them (the oldest read is dropped first), so a page nobody reads any more is not
/// loaded again.
final class HotKeys: Sendable {
    /// How a read is loaded again.
    typealias Load = @Sendable () async throws -> [UInt8]

    private struct Entry {
        var load: Load
        var lastRead: ContinuousClock.Instant
    }

    private struct State {
        var entries: [CacheKey: Entry] = [:]
        /// Keys moved and not yet taken, in the order they moved.
        var due: [CacheKey] = []
        var dueSet: Set<CacheKey> = []
    }

    /// The default number of reads remembered (a dashboard's pages, filters and officer details).
    static let defaultCapacity = 512
    /// How recent a read must be to be loaded again by default.
    static let defaultWindow: Duration = .seconds(60)

    private let state = Mutex(State())
    let capacity: Int
    let window: Duration
    /// Yields when keys become due (at most one wake-up is kept: `takeDue()` drains them all).
    let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(capacity: Int = HotKeys.defaultCapacity, window: Duration = HotKeys.defaultWindow) {
        self.capacity = max(capacity, 1)
        self.window = window
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// A reader asked for `key`; `load` fills it.
    func read(_ key: CacheKey, load: @escaping Load) {
        let now = ContinuousClock.now
        state.withLock { s in
            if s.entries.updateValue(Entry(load: load, lastRead: now), forKey: key) == nil, s.entries.count > capacity {
                let cutoff = now - window
                s.entries = s.entries.filter { $0.value.lastRead >= cutoff }
                if s.entries.count > capacity, let oldest = s.entries.min(by: { $0.value.lastRead < $1.value.lastRead })?.key {
                    s.entries[oldest] = nil
                }
            }
        }
    }

    /// The entries showing `tags` moved (nil: all of them, a new generation): the recently read
    /// ones become due.
    func moved(_ tags: Set<CacheTag>?) {
        let cutoff = ContinuousClock.now - window
        let added = state.withLock { s in
            var added = 0
            for (key, entry) in s.entries where entry.lastRead >= cutoff {
                guard tags.map({ tags in key.tags.contains(where: tags.contains) }) ?? true else { continue }
                if s.dueSet.insert(key).inserted {
                    s.due.append(key)
                    added += 1
                }
            }
            return added
        }
        if added > 0 { wake.yield() }
    }

    /// The next due key and its load, or nil when none is due.
    func takeDue() -> (key: CacheKey, load: Load)? {
        state.withLock { s in
            while !s.due.isEmpty {
                let key = s.due.removeFirst()
                s.dueSet.remove(key)
                if let entry = s.entries[key] { return (key, entry.load) }
            }
            return nil
        }
    }

    /// How many reads are remembered (tests).
    var count: Int { state.withLock { $0.entries.count } }

    /// Ends `wakeups` (the service stops).
    func finish() { wake.finish() }
}
