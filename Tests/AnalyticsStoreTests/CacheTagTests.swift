import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Synchronization
import Testing

/// Cache tags: their fields and announcements (no server), and `CacheNamespace.invalidate(tags:)`
/// against a Redis of each test's own (the cache keys are fixed names).
@Suite("Cache tags")
struct CacheTagTests {
    /// Ids and names holding what a naive encoding would split on.
    static let hostile = ["OFF0001", "", "a:b", "officer:X", "branch:Y", "book", "Lagos Main", "x\ny", "12:34", "é:ü", "\u{0}", "::"]

    @Test("every tag's field reads back as the same tag, whatever its id or name holds")
    func fieldsRoundTrip() {
        var tags: [CacheTag] = [.book]
        for text in Self.hostile { tags += [.officer(text), .branch(text)] }
        for tag in tags { #expect(CacheTag(field: tag.field) == tag, "\(tag)") }
        #expect(Set(tags.map(\.field)).count == tags.count)
        #expect(CacheTag(field: "region:South") == nil)
        #expect(CacheTag(field: "Book") == nil)
    }

    @Test("property: an announcement reads back as its tags (2,000 random sets); malformed payloads are refused")
    func announcementsRoundTrip() {
        var random = SplitMix64(seed: 14)
        for _ in 0..<2_000 {
            let tags: [CacheTag] = (0..<Int(random.next() % 6)).map { _ in
                let text = Self.hostile[Int(random.next() % UInt64(Self.hostile.count))] + String(random.next() % 100)
                switch random.next() % 3 {
                case 0: return .officer(text)
                case 1: return .branch(text)
                default: return .book
                }
            }
            let payload = CacheNamespace.tagAnnouncement(tags)
            #expect(CacheNamespace.tags(inAnnouncement: Array(payload.utf8)) == tags, "\(payload)")
        }
        for malformed in ["bump", "4book", "x:book", "10:book", ":", "4:book5:branch", "9999999999:book", "5:noway"] {
            #expect(CacheNamespace.tags(inAnnouncement: Array(malformed.utf8)) == nil, "\(malformed)")
        }
    }

    /// Messages received on the tag channel.
    final class Received: Sendable {
        let payloads = Mutex<[[UInt8]]>([])
        let subscribed = Atomic<Bool>(false)
    }

    @Test("invalidate bumps each tag and the counter and announces the tags, in one pipeline; invalidateAll leaves the tags")
    func invalidateBumpsAndAnnounces() async throws {
        try await LocalRedis.with { server in
            let configuration = try RedisConfiguration(url: server.url + "?timeout_ms=2000&connect_timeout_ms=2000")
            let received = Received()
            let subscription = Task {
                try await RedisSubscriber(configuration: configuration).subscribe(to: [CacheNamespace.tagInvalidationChannel]) { event in
                    switch event {
                    case .subscribed: received.subscribed.store(true, ordering: .relaxed)
                    case .message(_, let payload): received.payloads.withLock { $0.append(payload) }
                    }
                }
            }
            let redis = RedisClient(configuration: configuration, maximumConnections: 1)
            try await ServiceScope.run([redis]) {
                try await Waiting.until("subscribed") { received.subscribed.load(ordering: .relaxed) }
                let x = CacheTag.officer("OFF:1"), lagos = CacheTag.branch("Lagos Main"), other = CacheTag.officer("OFF2")
                try await CacheNamespace.invalidate(tags: [x, lagos, .book], redis: redis)
                try await CacheNamespace.invalidate(tags: [x], redis: redis)
                // Nothing to invalidate: nothing sent, nothing counted.
                try await CacheNamespace.invalidate(tags: [], redis: redis)

                let versions = try await CacheNamespace.versions(of: [x, lagos, .book, other], redis: redis)
                #expect(versions.generation == 0)
                #expect(versions.tagVersions == [2, 1, 1, 0])
                #expect(try await redis.get(CacheNamespace.tagInvalidationsKey).map { String(decoding: $0, as: UTF8.self) } == "2")
                let all = try CacheNamespace.allTagVersions(try await redis.command(["HGETALL", CacheNamespace.tagVersionsKey]))
                #expect(all == [x: 2, lagos: 1, .book: 1])

                try await Waiting.until("two announcements arrived") { received.payloads.withLock { $0.count } == 2 }
                let announced = received.payloads.withLock { $0 }.map { CacheNamespace.tags(inAnnouncement: $0) }
                #expect(announced == [[.book, lagos, x], [x]])

                // The whole-book bump moves the generation and leaves the tag versions.
                #expect(try await CacheNamespace.invalidateAll(redis: redis) == 1)
                let after = try await CacheNamespace.versions(of: [x, .book], redis: redis)
                #expect(after.generation == 1)
                #expect(after.tagVersions == [2, 1])
            }
            subscription.cancel()
            _ = try await Waiting.returns("the cancelled subscription") { await subscription.result }
        }
    }

    @Test("Redis down: invalidate throws (the caller logs it; entries age out by TTL)")
    func redisDownThrows() async throws {
        try await LocalRedis.with { server in
            let configuration = try RedisConfiguration(url: server.url + "?timeout_ms=500&connect_timeout_ms=500")
            let redis = RedisClient(configuration: configuration, maximumConnections: 1)
            try await ServiceScope.run([redis]) {
                try await CacheNamespace.invalidate(tags: [.book], redis: redis)
                try await server.stop()
                await #expect(throws: RedisError.self) {
                    try await CacheNamespace.invalidate(tags: [.officer("OFF0001"), .book], redis: redis)
                }
            }
        }
    }

    @Test("a hash field that is not a counter is an error, not version 0")
    func corruptVersionIsAnError() async throws {
        try await LocalRedis.with { server in
            let configuration = try RedisConfiguration(url: server.url + "?timeout_ms=2000&connect_timeout_ms=2000")
            let redis = RedisClient(configuration: configuration, maximumConnections: 1)
            try await ServiceScope.run([redis]) {
                try await redis.command(["HSET", CacheNamespace.tagVersionsKey, "book", "many"])
                await #expect(throws: RedisError.self) { _ = try await CacheNamespace.versions(of: [.book], redis: redis) }
                // A refused HINCRBY (the field is not an integer) makes invalidate throw too.
                await #expect(throws: RedisError.self) { try await CacheNamespace.invalidate(tags: [.book], redis: redis) }
            }
        }
    }
}
