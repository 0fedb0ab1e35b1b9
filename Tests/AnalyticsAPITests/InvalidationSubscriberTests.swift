@testable import AnalyticsAPI
import AnalyticsStore
import AnalyticsTestSupport
import Logging
import NIOCore
import Testing

/// The invalidation subscriber heals what its messages miss: against a Redis of each test's own, with
/// the periodic re-read every 100 ms (production: `InvalidationSubscriber.defaultRecheckInterval`).
@Suite("Invalidation subscriber")
struct InvalidationSubscriberTests {
    /// The pieces a test looks at: the client, the tracker (which empties `bodies`), the audit cache.
    struct Harness {
        let redis: RedisClient
        let tracker: GenerationTracker
        let bodies: RenderedResponseCache
        let audit: AuditCache
    }

    /// Runs a live subscriber (re-reading every `recheck`) for `body` and stops it, and its Redis, afterwards.
    static func withSubscriber(recheck: Duration = .milliseconds(100), _ body: (Harness) async throws -> Void) async throws {
        try await LocalRedis.with { server in
            let configuration = try RedisConfiguration(url: server.url + "?timeout_ms=2000&connect_timeout_ms=2000")
            let redis = RedisClient(configuration: configuration, maximumConnections: 2)
            let bodies = RenderedResponseCache()
            let harness = Harness(redis: redis, tracker: GenerationTracker { bodies.setLiveGeneration($0) }, bodies: bodies,
                                  audit: AuditCache())
            var logger = Logger(label: "invalidation-test")
            logger.logLevel = .warning
            let subscriber = InvalidationSubscriber(
                redis: redis, subscriber: RedisSubscriber(configuration: configuration), tracker: harness.tracker,
                auditCache: harness.audit, recheckInterval: recheck, retryDelay: .milliseconds(50), logger: logger)
            try await ServiceScope.run([redis, subscriber], logger: logger) {
                try await Waiting.until("the subscription is live") { harness.tracker.liveGeneration != nil }
                try await body(harness)
            }
        }
    }

    static func body(_ text: String) -> RenderedResponseCache.Entry {
        .init(body: ByteBuffer(string: text), etag: "\"\(text)\"")
    }

    @Test("a bump announced on the channel is adopted at once")
    func announced() async throws {
        try await Self.withSubscriber { h in
            let generation = try await CacheNamespace.invalidateAll(redis: h.redis)
            try await Waiting.until("the announced generation is live") { h.tracker.liveGeneration == generation }
        }
    }

    @Test("a bump whose message was lost (INCR without PUBLISH) is adopted by the periodic re-read; old bodies go")
    func missedMessageHeals() async throws {
        try await Self.withSubscriber { h in
            let start = try #require(h.tracker.liveGeneration)
            h.bodies.set(RenderedResponseCacheTests.key("page"), version: KeyVersion(generation: start), Self.body("old"))
            let bumped = try await h.redis.increment(CacheNamespace.generationKey)
            try await Waiting.until("the bumped generation is live") { h.tracker.liveGeneration == bumped }
            #expect(h.bodies.get(RenderedResponseCacheTests.key("page"), version: KeyVersion(generation: start)) == nil)
        }
    }

    @Test("a generation counter set lower (Redis lost it) is adopted too")
    func lowerCounterHeals() async throws {
        try await Self.withSubscriber { h in
            try await h.redis.set(CacheNamespace.generationKey, "41")
            try await Waiting.until("generation 41 is live") { h.tracker.liveGeneration == 41 }
            h.bodies.set(RenderedResponseCacheTests.key("page"), version: KeyVersion(generation: 41), Self.body("at 41"))
            try await h.redis.set(CacheNamespace.generationKey, "3")
            try await Waiting.until("generation 3 is live") { h.tracker.liveGeneration == 3 }
            #expect(h.bodies.get(RenderedResponseCacheTests.key("page"), version: KeyVersion(generation: 41)) == nil)
        }
    }

    /// Waits until a periodic re-read has run from start to end after this call: a generation bump
    /// without a message is adopted only by one, after its audit check.
    static func waitForRecheck(_ h: Harness) async throws {
        let bumped = try await h.redis.increment(CacheNamespace.generationKey)
        try await Waiting.until("a re-read after the bump") { h.tracker.liveGeneration == bumped }
    }

    @Test("an audit counter that moved without a message empties the audit cache; a write with its message does not")
    func auditCounterWithoutMessage() async throws {
        try await Self.withSubscriber { h in
            // A write to B the way AuditDirectory sends it: counter and message in one pipeline.
            let before = h.audit.stamp(["B"])
            _ = try await h.redis.pipeline([["INCR", InvalidationSubscriber.auditCounterKey],
                                            ["PUBLISH", InvalidationSubscriber.auditChannel, "B"]])
            try await Waiting.until("the message for B arrived") { h.audit.stamp(["B"]) != before }
            let row = AuditInfo(auditStatus: "Assigned", version: 1)
            h.audit.store(["A": row], stamp: h.audit.lookup(["A"]).stamp)
            try await Self.waitForRecheck(h)
            #expect(h.audit.lookup(["A"]).found["A"] == row)

            // A write whose message was lost: only the counter moves.
            try await h.redis.increment(InvalidationSubscriber.auditCounterKey)
            try await Waiting.until("the audit cache is emptied") { h.audit.lookup(["A"]).missing == ["A"] }
        }
    }

    @Test("an audit counter that went back (Redis lost it) empties the audit cache")
    func auditCounterWentBack() async throws {
        try await Self.withSubscriber { h in
            try await h.redis.set(InvalidationSubscriber.auditCounterKey, "10")
            try await Self.waitForRecheck(h)
            h.audit.store(["A": AuditInfo(auditStatus: "Assigned", version: 1)], stamp: h.audit.lookup(["A"]).stamp)
            #expect(h.audit.lookup(["A"]).found["A"] != nil)
            try await h.redis.delete([InvalidationSubscriber.auditCounterKey])
            try await Waiting.until("the audit cache is emptied") { h.audit.lookup(["A"]).missing == ["A"] }
        }
    }

    static let x = CacheTag.officer("OFF0001")
    static let y = CacheTag.officer("OFF0002")

    @Test("a targeted invalidation is adopted from its announcement (no periodic re-read runs), for its tags only")
    func tagsAnnounced() async throws {
        try await Self.withSubscriber(recheck: .seconds(3600)) { h in
            let generation = try #require(h.tracker.liveGeneration)
            let page = CacheKey(.officerMetrics, role: .viewer, scope: .unrestricted, resource: ["OFF0002"], tags: [Self.y])
            let before = try #require(h.tracker.liveVersion(for: [Self.y]))
            h.bodies.set(page, version: before, Self.body("Y"))
            try await CacheNamespace.invalidate(tags: [Self.x, .book], redis: h.redis)
            try await Waiting.until("X's new version is held") {
                h.tracker.liveVersion(for: [.book, Self.x]) == KeyVersion(generation: generation, tagVersions: [1, 1])
            }
            #expect(h.tracker.liveVersion(for: [Self.y]) == before)
            #expect(h.bodies.get(page, version: before)?.etag == "\"Y\"")
            // The same announcement delivered twice (a retried call): each bump is one version more.
            try await CacheNamespace.invalidate(tags: [Self.x], redis: h.redis)
            try await Waiting.until("X's second version is held") {
                h.tracker.liveVersion(for: [Self.x]) == KeyVersion(generation: generation, tagVersions: [2])
            }
        }
    }

    @Test("a tag bump whose announcement was lost (counter and version without PUBLISH) is adopted by the periodic re-read")
    func missedTagAnnouncementHeals() async throws {
        try await Self.withSubscriber { h in
            let generation = try #require(h.tracker.liveGeneration)
            let page = CacheKey(.officerMetrics, role: .viewer, scope: .unrestricted, resource: ["OFF0001"], tags: [Self.x])
            h.bodies.set(page, version: KeyVersion(generation: generation, tagVersions: [0]), Self.body("old X"))
            // The pipeline of `invalidate(tags:)` cut short before its PUBLISH.
            _ = try await h.redis.pipeline([["INCR", CacheNamespace.tagInvalidationsKey],
                                            ["HINCRBY", CacheNamespace.tagVersionsKey, Self.x.field, "1"]])
            try await Waiting.until("X's bumped version is held") {
                h.tracker.liveVersion(for: [Self.x]) == KeyVersion(generation: generation, tagVersions: [1])
            }
            let now = try #require(h.tracker.liveVersion(for: [Self.x]))
            #expect(h.bodies.get(page, version: now) == nil)
        }
    }

    @Test("an unreadable tag message ends the subscription; the next one starts from a full read of the versions")
    func unreadableTagMessage() async throws {
        try await Self.withSubscriber(recheck: .seconds(3600)) { h in
            let generation = try #require(h.tracker.liveGeneration)
            // A bump nobody announces or counts: only a full read can learn it.
            try await h.redis.command(["HINCRBY", CacheNamespace.tagVersionsKey, Self.y.field, "5"])
            try await h.redis.command(["PUBLISH", CacheNamespace.tagInvalidationChannel, "not a list of tags"])
            try await Waiting.until("Y's version is read again after resubscribing") {
                h.tracker.liveVersion(for: [Self.y]) == KeyVersion(generation: generation, tagVersions: [5])
            }
        }
    }
}
