import AnalyticsStore
import AnalyticsTestSupport
import Testing

/// Redis runs on threads of its own: a Redis that stops answering cannot take the threads that
/// PostgreSQL calls need.
@Suite("Thread budgets")
struct ThreadBudgetTests {
    @Test("with every Redis call hung on a frozen server, PostgreSQL queries still complete")
    func hungRedisDoesNotStarvePostgres() async throws {
        try await LocalRedis.with { server in
            // A database whose executor has poolSize + 4 = 6 threads.
            try await TestDatabase.with(migrated: false, poolSize: 2) { db in
                // Timeouts far longer than the test: the calls hang until the server is resumed.
                let url = server.url + "?timeout_ms=120000&connect_timeout_ms=120000"
                let redis = RedisClient(configuration: try RedisConfiguration(url: url), maximumConnections: 2)
                try await ServiceScope.run([redis]) {
                    try await redis.set("k", "v")
                    try server.pause()
                    // On every path, before the client closes: its close waits for the hung calls.
                    defer { server.resume() }
                    // More hung calls than the database's executor has threads.
                    let hung = Task {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for _ in 0..<16 { group.addTask { _ = try await redis.get("k") } }
                            try await group.waitForAll()
                        }
                    }
                    for i in 0..<20 {
                        let value = try await Waiting.returns("a PostgreSQL query while Redis hangs", within: .seconds(60)) {
                            try await db.pool.query("SELECT $1::int AS v", [i])[0].decode(Int.self, "v")
                        }
                        #expect(value == i)
                    }
                    server.resume()
                    try await Waiting.returns("the Redis calls after the server resumed", within: .seconds(60)) { try await hung.value }
                }
            }
        }
    }
}
