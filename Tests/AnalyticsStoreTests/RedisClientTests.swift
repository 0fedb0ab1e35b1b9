import AnalyticsStore
import AnalyticsTestSupport
import Testing

@Suite("Redis client")
struct RedisClientTests {
    /// Runs `body` with a client on the shared test Redis and a key namespace of this test's own, and
    /// closes the client afterwards. These tests are about what the commands do, so the per-command
    /// timeout is 2 s instead of the production 50 ms, which a test run loading both cores can exceed.
    static func withClient(_ body: (RedisClient, String) async throws -> Void) async throws {
        let url = try TestEnvironment.redisURL() + "?timeout_ms=2000&connect_timeout_ms=2000"
        let client = RedisClient(configuration: try RedisConfiguration(url: url), maximumConnections: 4)
        try await ServiceScope.run([client]) { try await body(client, "test:\(UInt64.random(in: 0...UInt64.max)):") }
    }

    @Test("GET, SET with EX, DEL, UNLINK, INCR, EXPIRE and SCAN")
    func commands() async throws {
        try await Self.withClient { redis, ns in
            #expect(try await redis.get(ns + "missing") == nil)
            try await redis.set(ns + "a", "alpha", expireSeconds: 3_600)
            #expect(try await redis.get(ns + "a").map { String(decoding: $0, as: UTF8.self) } == "alpha")
            let ttl = try await redis.command(["TTL", ns + "a"]).integer ?? -1
            #expect(ttl > 0 && ttl <= 3_600)
            let binary: [UInt8] = [0, 255, 10, 13, 0]
            try await redis.set(ns + "bin", binary)
            #expect(try await redis.get(ns + "bin") == binary)
            #expect(try await redis.increment(ns + "n") == 1)
            #expect(try await redis.increment(ns + "n") == 2)
            #expect(try await redis.expire(ns + "n", seconds: 100))
            #expect(try await redis.expire(ns + "nothing", seconds: 100) == false)
            for i in 0..<25 { try await redis.set(ns + "scan:\(i)", "x") }
            let keys = try await redis.scanKeys(matching: ns + "scan:*", count: 7)
            #expect(Set(keys) == Set((0..<25).map { ns + "scan:\($0)" }))
            #expect(try await redis.delete([ns + "a", ns + "missing"]) == 1)
            #expect(try await redis.unlink(keys) == 25)
            let error = await #expect(throws: RedisError.self) { try await redis.command(["INCR", ns + "bin"]) }
            #expect(error?.code == .server)
        }
    }

    @Test("after a bump, the entries of other generations are deleted and nothing else is")
    func dropOldGenerations() async throws {
        try await LocalRedis.with { server in
            let redis = RedisClient(configuration: try RedisConfiguration(url: server.url + "?timeout_ms=2000&connect_timeout_ms=2000"),
                                    maximumConnections: 2)
            try await ServiceScope.run([redis]) {
                for generation: Int64 in [8, 9, 10, 11] {
                    _ = try await redis.pipeline((0..<1_500).map {
                        ["SET", CacheNamespace.key(generation: generation, family: .officerList, ["p\($0)"]), "x", "EX", "900"]
                    })
                }
                try await redis.set("{analytics}:v10x:not-ours", "x")
                try await redis.set("other:v1:key", "x")
                let generation = try await CacheNamespace.invalidateAll(redis: redis)
                #expect(try await CacheNamespace.dropEntries(except: 10, redis: redis) == 4_500)
                #expect(try await redis.scanKeys(matching: "{analytics}:v9:*").isEmpty)
                #expect(try await redis.scanKeys(matching: "{analytics}:v11:*").isEmpty)
                #expect(try await redis.scanKeys(matching: "{analytics}:v10:*").count == 1_500)
                #expect(try await redis.get("{analytics}:v10x:not-ours") != nil)
                #expect(try await redis.get("other:v1:key") != nil)
                #expect(try await CacheNamespace.generation(redis: redis) == generation)
            }
        }
    }

    @Test("10,000 commands pipelined in one round trip")
    func pipelining() async throws {
        try await Self.withClient { redis, ns in
            let sets = (0..<10_000).map { ["SET", ns + "p:\($0)", "v\($0)", "EX", "60"] }
            let replies = try await redis.pipeline(sets)
            #expect(replies.count == 10_000)
            #expect(replies.allSatisfy { $0 == .status("OK") })
            let gets = try await redis.pipeline((0..<10_000).map { ["GET", ns + "p:\($0)"] })
            #expect(gets.enumerated().allSatisfy { $0.element.string == "v\($0.offset)" })
        }
    }

    /// How fast the calls fail is a benchmark's figure (`scripts/bench-redis-failfast.sh`); here
    /// only that they fail with a clear error and return.
    @Test("Redis killed: calls return a clear error, then work again after it restarts")
    func deadRedisFailsAndRecovers() async throws {
        try await LocalRedis.with { server in
            let redis = RedisClient(configuration: try RedisConfiguration(url: server.url + "?retry_after_ms=200"), maximumConnections: 4)
            try await ServiceScope.run([redis]) {
                try await Waiting.until("the first SET succeeds") { (try? await redis.set("k", "v")) != nil }
                try await server.stop()
                for _ in 0..<5 {
                    let result = try await Waiting.returns("a call to the stopped Redis") {
                        do {
                            _ = try await redis.get("k")
                            return nil as RedisError?
                        } catch let error as RedisError {
                            return error
                        }
                    }
                    let error = try #require(result, "a call to a stopped Redis succeeded")
                    #expect(error.code == .unavailable || error.code == .timeout)
                    #expect(error.description.contains("Redis"))
                }
                try await server.startAgain()
                // The client reconnects by itself once the fail-fast window has passed.
                try await Waiting.until("a SET succeeds after the restart") { (try? await redis.set("k", "again")) != nil }
                #expect(try await redis.get("k").map { String(decoding: $0, as: UTF8.self) } == "again")
            }
        }
    }

    @Test("a malformed Redis URL is rejected with a message")
    func badURL() {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://x") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://h:99999") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://h:1/x") }
        let parsed = try? RedisConfiguration(url: "redis://:s3cret@cache:6380/2?timeout_ms=20")
        #expect(parsed?.host == "cache")
        #expect(parsed?.port == 6380)
        #expect(parsed?.database == 2)
        #expect(parsed?.password == "s3cret")
        #expect(parsed?.commandTimeout == .milliseconds(20))
        #expect(parsed?.description.contains("s3cret") == false)
    }
}
