@testable import AnalyticsAPI
import AnalyticsStore
import NIOCore
import Testing

/// The finished-body cache: the live generation only, nothing kept from a past one or from before a
/// lost subscription, bounded. No servers.
@Suite("Rendered response cache")
struct RenderedResponseCacheTests {
    /// A distinct key per name.
    static func key(_ name: String) -> CacheKey {
        CacheKey(.officerList, role: .viewer, scope: .unrestricted, resource: [name])
    }

    static func entry(_ text: String) -> RenderedResponseCache.Entry {
        .init(body: ByteBuffer(string: text), etag: "\"\(text)\"")
    }

    @Test("a body is served for the live generation only; a new generation drops the old bodies and refuses late ones")
    func generations() {
        let cache = RenderedResponseCache()
        cache.setLiveGeneration(1)
        cache.set(Self.key("a"), version: KeyVersion(generation: 1), Self.entry("one"))
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 1))?.etag == "\"one\"")
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 2)) == nil)
        cache.setLiveGeneration(2)
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 1)) == nil)
        // A late body of the past generation is not stored.
        cache.set(Self.key("b"), version: KeyVersion(generation: 1), Self.entry("late"))
        #expect(cache.get(Self.key("b"), version: KeyVersion(generation: 1)) == nil)
        cache.set(Self.key("b"), version: KeyVersion(generation: 2), Self.entry("two"))
        #expect(cache.get(Self.key("b"), version: KeyVersion(generation: 2))?.etag == "\"two\"")
    }

    @Test("a lost subscription drops every body, even when the generation comes back the same or lower")
    func subscriptionLost() {
        let cache = RenderedResponseCache()
        cache.setLiveGeneration(9)
        cache.set(Self.key("a"), version: KeyVersion(generation: 9), Self.entry("nine"))
        cache.setLiveGeneration(nil)
        cache.set(Self.key("b"), version: KeyVersion(generation: 9), Self.entry("while down"))
        #expect(cache.get(Self.key("b"), version: KeyVersion(generation: 9)) == nil)
        cache.setLiveGeneration(9)
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 9)) == nil)
        // Redis restarted empty: the generation starts again lower, and is used.
        cache.setLiveGeneration(1)
        cache.set(Self.key("a"), version: KeyVersion(generation: 1), Self.entry("one"))
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 1))?.etag == "\"one\"")
    }

    @Test("the generation tracker tells the cache every change, in order")
    func trackerDrivesTheCache() {
        let cache = RenderedResponseCache()
        let tracker = GenerationTracker { cache.setLiveGeneration($0) }
        tracker.connected(generation: 4)
        cache.set(Self.key("a"), version: KeyVersion(generation: 4), Self.entry("four"))
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 4)) != nil)
        tracker.announced(3)
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 4)) != nil)
        tracker.announced(5)
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 4)) == nil)
        cache.set(Self.key("a"), version: KeyVersion(generation: 5), Self.entry("five"))
        tracker.disconnected()
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 5)) == nil)
    }

    @Test("bounded by bytes: a body over an eighth of the bound is not kept; when full it starts again")
    func bounded() {
        // Each entry below costs its 90-byte body, its ETag and the key (48 bytes): 12 of them pass 1,600.
        let cache = RenderedResponseCache(maximumBytes: 1_600)
        cache.setLiveGeneration(1)
        cache.set(Self.key("big"), version: KeyVersion(generation: 1), Self.entry(String(repeating: "x", count: 300)))
        #expect(cache.get(Self.key("big"), version: KeyVersion(generation: 1)) == nil)
        for i in 0..<12 { cache.set(Self.key("k\(i)"), version: KeyVersion(generation: 1), Self.entry(String(repeating: "y", count: 90))) }
        #expect(cache.get(Self.key("k11"), version: KeyVersion(generation: 1)) != nil)
        #expect(cache.get(Self.key("k0"), version: KeyVersion(generation: 1)) == nil)
    }

    @Test("a body is served until its TTL, then dropped")
    func ttl() {
        let clock = ManualClock()
        let cache = RenderedResponseCache(ttl: .seconds(60), now: clock.now)
        cache.setLiveGeneration(1)
        cache.set(Self.key("a"), version: KeyVersion(generation: 1), Self.entry("one"))
        clock.advance(by: .seconds(59))
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 1))?.etag == "\"one\"")
        clock.advance(by: .seconds(2))
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 1)) == nil)
        cache.set(Self.key("a"), version: KeyVersion(generation: 1), Self.entry("again"))
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 1))?.etag == "\"again\"")
    }

    @Test("a generation read from Redis is adopted up or down, unless the tracker changed while it was read")
    func observedGenerations() {
        let cache = RenderedResponseCache()
        let tracker = GenerationTracker { cache.setLiveGeneration($0) }
        tracker.connected(generation: 7)
        cache.set(Self.key("a"), version: KeyVersion(generation: 7), Self.entry("seven"))
        // Unchanged: nothing happens.
        #expect(!tracker.observed(7, since: tracker.version))
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 7)) != nil)
        // A missed bump: adopted, the old bodies go.
        #expect(tracker.observed(8, since: tracker.version))
        #expect(tracker.liveGeneration == 8)
        #expect(cache.get(Self.key("a"), version: KeyVersion(generation: 7)) == nil)
        // Redis restarted empty: the lower counter is adopted.
        #expect(tracker.observed(0, since: tracker.version))
        #expect(tracker.liveGeneration == 0)
        // A read that started before an announcement does not undo it.
        let before = tracker.version
        tracker.announced(1)
        #expect(!tracker.observed(0, since: before))
        #expect(tracker.liveGeneration == 1)
    }
}
