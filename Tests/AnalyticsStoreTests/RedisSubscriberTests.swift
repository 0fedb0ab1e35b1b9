import AnalyticsStore
import AnalyticsTestSupport
import Synchronization
import Testing

/// The pub/sub subscriber against the shared test Redis, on channels of each test's own.
@Suite("Redis subscriber")
struct RedisSubscriberTests {
    /// Events received so far, shared between the subscribing task and the test.
    final class Received: Sendable {
        let events = Mutex<[RedisSubscriber.Event]>([])
        var all: [RedisSubscriber.Event] { events.withLock { $0 } }
    }

    static func configuration() throws -> RedisConfiguration {
        try RedisConfiguration(url: try TestEnvironment.redisURL() + "?timeout_ms=2000&connect_timeout_ms=2000")
    }

    @Test("confirms each channel, then delivers messages in order with binary payloads; cancellation ends it")
    func messages() async throws {
        let configuration = try Self.configuration()
        let channels = ["t:\(UInt64.random(in: 0...UInt64.max)):a", "t:\(UInt64.random(in: 0...UInt64.max)):b"]
        let received = Received()
        let subscription = Task {
            try await RedisSubscriber(configuration: configuration).subscribe(to: channels) { event in
                received.events.withLock { $0.append(event) }
            }
        }
        let redis = RedisClient(configuration: configuration, maximumConnections: 1)
        try await ServiceScope.run([redis]) {
            try await Waiting.until("both channels are subscribed") { received.all.count == 2 }
            #expect(received.all == [.subscribed(channel: channels[0], count: 1), .subscribed(channel: channels[1], count: 2)])
            _ = try await redis.pipelineBytes([
                [Array("PUBLISH".utf8), Array(channels[1].utf8), [0, 13, 10, 255]],
                [Array("PUBLISH".utf8), Array(channels[0].utf8), Array("second".utf8)],
            ])
            try await Waiting.until("both messages arrived") { received.all.count == 4 }
            #expect(Array(received.all.dropFirst(2)) == [
                .message(channel: channels[1], payload: [0, 13, 10, 255]),
                .message(channel: channels[0], payload: Array("second".utf8)),
            ])
        }
        subscription.cancel()
        _ = try await Waiting.returns("the cancelled subscription") { await subscription.result }
    }

    @Test("invalidateAll sends INCR and PUBLISH together: subscribers hear of every bump")
    func invalidationIsAnnounced() async throws {
        try await LocalRedis.with { server in
            let configuration = try RedisConfiguration(url: server.url + "?timeout_ms=2000&connect_timeout_ms=2000")
            let received = Received()
            let subscription = Task {
                try await RedisSubscriber(configuration: configuration).subscribe(to: [CacheNamespace.invalidationChannel]) { event in
                    received.events.withLock { $0.append(event) }
                }
            }
            let redis = RedisClient(configuration: configuration, maximumConnections: 1)
            try await ServiceScope.run([redis]) {
                try await Waiting.until("subscribed") { received.all.count == 1 }
                #expect(try await CacheNamespace.invalidateAll(redis: redis) == 1)
                #expect(try await CacheNamespace.invalidateAll(redis: redis) == 2)
                try await Waiting.until("two announcements arrived") { received.all.count == 3 }
                let announcement = RedisSubscriber.Event.message(channel: CacheNamespace.invalidationChannel,
                                                                 payload: Array(CacheNamespace.announcement.utf8))
                #expect(Array(received.all.dropFirst()) == [announcement, announcement])
            }
            subscription.cancel()
            _ = try await Waiting.returns("the cancelled subscription") { await subscription.result }
        }
    }

    @Test("a refused AUTH and a closed connection are errors")
    func failures() async throws {
        try await LocalRedis.with { server in
            // The server has no password: AUTH is refused.
            let wrong = try RedisConfiguration(url: "redis://:nope@127.0.0.1:\(server.port)")
            let refused = await #expect(throws: RedisError.self) {
                try await RedisSubscriber(configuration: wrong).subscribe(to: ["c"]) { _ in }
            }
            #expect(refused?.code == .server)
            #expect(refused?.description.contains("nope") == false)

            let configuration = try RedisConfiguration(url: server.url)
            let received = Received()
            let subscription = Task {
                try await RedisSubscriber(configuration: configuration).subscribe(to: ["c"]) { event in
                    received.events.withLock { $0.append(event) }
                }
            }
            try await Waiting.until("subscribed") { received.all.count == 1 }
            try await server.stop()
            let result = try await Waiting.returns("the subscription after the server stopped") { await subscription.result }
            let closed = #expect(throws: RedisError.self) { try result.get() }
            #expect(closed?.code == .unavailable)
        }
    }
}
