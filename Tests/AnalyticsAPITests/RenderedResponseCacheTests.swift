@testable import AnalyticsAPI
import NIOCore
import Synchronization
import Testing

/// The finished-body cache: one generation at a time, nothing kept from a past one, bounded. No servers.
@Suite("Rendered response cache")
struct RenderedResponseCacheTests {
    static func entry(_ text: String) -> RenderedResponseCache.Entry {
        .init(body: ByteBuffer(string: text), etag: "\"\(text)\"")
    }

    @Test("a body is served for its generation only, and a new generation drops the old bodies")
    func generations() {
        let live = Mutex<Int64?>(1)
        let cache = RenderedResponseCache { live.withLock { $0 } }
        cache.set("a", generation: 1, Self.entry("one"))
        #expect(cache.get("a", generation: 1)?.etag == "\"one\"")
        #expect(cache.get("a", generation: 2) == nil)
        live.withLock { $0 = 2 }
        // A late body of the past generation is not stored.
        cache.set("b", generation: 1, Self.entry("late"))
        #expect(cache.get("b", generation: 1) == nil)
        cache.set("b", generation: 2, Self.entry("two"))
        #expect(cache.get("b", generation: 2)?.etag == "\"two\"")
        #expect(cache.get("a", generation: 1) == nil)
        // Not live: nothing is stored.
        live.withLock { $0 = nil }
        cache.set("c", generation: 2, Self.entry("three"))
        #expect(cache.get("c", generation: 2) == nil)
    }

    @Test("a generation that restarts lower (Redis lost its data) is adopted, not refused")
    func generationRestart() {
        let live = Mutex<Int64?>(9)
        let cache = RenderedResponseCache { live.withLock { $0 } }
        cache.set("a", generation: 9, Self.entry("nine"))
        live.withLock { $0 = 1 }
        cache.set("a", generation: 1, Self.entry("one"))
        #expect(cache.get("a", generation: 1)?.etag == "\"one\"")
        #expect(cache.get("a", generation: 9) == nil)
    }

    @Test("bounded by bytes: a body over an eighth of the bound is not kept; when full it starts again")
    func bounded() {
        let cache = RenderedResponseCache(maximumBytes: 800) { 1 }
        cache.set("big", generation: 1, Self.entry(String(repeating: "x", count: 200)))
        #expect(cache.get("big", generation: 1) == nil)
        for i in 0..<9 { cache.set("k\(i)", generation: 1, Self.entry(String(repeating: "y", count: 90))) }
        #expect(cache.get("k8", generation: 1) != nil)
        #expect(cache.get("k0", generation: 1) == nil)
    }
}
