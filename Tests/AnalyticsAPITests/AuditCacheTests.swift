@testable import AnalyticsAPI
import Synchronization
import Testing

/// A clock the caches' TTLs are measured on, moved by the test instead of waited for.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    /// The current instant (pass `clock.now` to a cache).
    var now: @Sendable () -> ContinuousClock.Instant { { self.instant.withLock { $0 } } }

    func advance(by duration: Duration) {
        instant.withLock { $0 = $0.advanced(by: duration) }
    }
}

/// The in-process audit cache: what a load may store while writes happen elsewhere, and the stamps
/// that tell a finished officer page whether its audit fields are still current. No servers.
@Suite("Audit cache")
struct AuditCacheTests {
    static func row(_ version: Int) -> AuditInfo { AuditInfo(auditStatus: "Assigned", version: version) }

    @Test("not live: nothing is cached and there is no stamp")
    func notLive() {
        let cache = AuditCache()
        let (found, missing, stamp) = cache.lookup(["A"])
        #expect(found.isEmpty && missing == ["A"] && stamp == nil)
        cache.store(["A": Self.row(1)], stamp: 0)
        #expect(cache.lookup(["A"]).missing == ["A"])
        #expect(cache.stamp(["A"]) == nil)
    }

    @Test("a write to another officer during a load does not throw the load away")
    func writeElsewhereKeepsTheLoad() {
        let cache = AuditCache()
        cache.setLive(true)
        let (_, missing, stamp) = cache.lookup(["A", "B"])
        #expect(missing == ["A", "B"])
        cache.invalidate(officerID: "C")
        cache.store(["A": Self.row(1), "B": Self.row(2)], stamp: stamp)
        let again = cache.lookup(["A", "B"])
        #expect(again.missing.isEmpty)
        #expect(again.found["B"] == Self.row(2))
    }

    @Test("a write to an officer during its load keeps that row out, and only that row")
    func writeDuringTheLoad() {
        let cache = AuditCache()
        cache.setLive(true)
        let stamp = cache.lookup(["A", "B"]).stamp
        cache.invalidate(officerID: "A")
        cache.store(["A": Self.row(1), "B": Self.row(2)], stamp: stamp)
        let again = cache.lookup(["A", "B"])
        #expect(again.missing == ["A"])
        #expect(again.found["B"] == Self.row(2))
    }

    @Test("a set's stamp moves when one of its officers is written, and only then")
    func stamps() throws {
        let cache = AuditCache()
        cache.setLive(true)
        let before = try #require(cache.stamp(["A", "B"]))
        cache.invalidate(officerID: "C")
        #expect(cache.stamp(["A", "B"]) == before)
        cache.invalidate(officerID: "B")
        let afterB = try #require(cache.stamp(["A", "B"]))
        #expect(afterB != before)
        cache.invalidate(officerID: "A")
        #expect(cache.stamp(["A", "B"]) != afterB)
        #expect(cache.stamp(["C"]) != cache.stamp(["A"]))
        // The empty set changes only with a reset.
        let empty = cache.stamp([String]())
        cache.invalidate(officerID: "D")
        #expect(cache.stamp([String]()) == empty)
    }

    @Test("losing and regaining the subscription empties the cache and moves every stamp")
    func reset() throws {
        let cache = AuditCache()
        cache.setLive(true)
        let stamp = cache.lookup(["A"]).stamp
        let empty = try #require(cache.stamp([String]()))
        cache.setLive(false)
        cache.setLive(true)
        cache.store(["A": Self.row(1)], stamp: stamp)
        #expect(cache.lookup(["A"]).missing == ["A"])
        #expect(cache.stamp([String]()) != empty)
        #expect(cache.stamp(["A"]) != stamp)
    }

    @Test("past its capacity of written officers the cache resets instead of growing")
    func bounded() throws {
        let cache = AuditCache(capacity: 4)
        cache.setLive(true)
        let stamp = cache.lookup(["A"]).stamp
        for i in 0..<5 { cache.invalidate(officerID: "W\(i)") }
        cache.store(["A": Self.row(1)], stamp: stamp)
        #expect(cache.lookup(["A"]).missing == ["A"])
        let fresh = cache.lookup(["A"]).stamp
        cache.store(["A": Self.row(1)], stamp: fresh)
        #expect(cache.lookup(["A"]).found["A"] == Self.row(1))
    }

    @Test("a row is served until its TTL, then loaded again; a missed write cannot outlive it")
    func ttl() throws {
        let clock = ManualClock()
        let cache = AuditCache(ttl: .seconds(60), now: clock.now)
        cache.setLive(true)
        cache.store(["A": Self.row(1)], stamp: cache.lookup(["A"]).stamp)
        clock.advance(by: .seconds(59))
        #expect(cache.lookup(["A"]).found["A"] == Self.row(1))
        clock.advance(by: .seconds(2))
        #expect(cache.lookup(["A"]).missing == ["A"])
        // Stored again, it counts from then.
        cache.store(["A": Self.row(2)], stamp: cache.lookup(["A"]).stamp)
        clock.advance(by: .seconds(30))
        #expect(cache.lookup(["A"]).found["A"] == Self.row(2))
    }

    @Test("removeAll empties the cache and moves every stamp, and it stays live")
    func removeAll() throws {
        let cache = AuditCache()
        cache.setLive(true)
        let stamp = cache.lookup(["A"]).stamp
        cache.store(["A": Self.row(1)], stamp: stamp)
        cache.removeAll()
        #expect(cache.lookup(["A"]).missing == ["A"])
        #expect(cache.stamp(["A"]) != nil)
        #expect(cache.stamp(["A"]) != stamp)
        // A load that started before is refused.
        cache.store(["A": Self.row(1)], stamp: stamp)
        #expect(cache.lookup(["A"]).missing == ["A"])
    }
}
