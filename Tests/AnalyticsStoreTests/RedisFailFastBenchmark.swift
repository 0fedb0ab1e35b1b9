import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Testing

/// Not a test: prints how long a call takes to fail once Redis is gone, with the production timeouts.
/// Runs only with BENCH_REDIS_FAILFAST set (`scripts/bench-redis-failfast.sh`); a loaded machine
/// changes the figure, so nothing is asserted.
@Suite("Redis fail-fast benchmark", .enabled(if: ProcessInfo.processInfo.environment["BENCH_REDIS_FAILFAST"] != nil))
struct RedisFailFastBenchmark {
    @Test("latency of calls to a stopped Redis")
    func failFast() async throws {
        let calls = Int(ProcessInfo.processInfo.environment["BENCH_REDIS_FAILFAST"] ?? "") ?? 50
        try await LocalRedis.with { server in
            let redis = RedisClient(configuration: try RedisConfiguration(url: server.url), maximumConnections: 4)
            try await ServiceScope.run([redis]) {
                try await Waiting.until("Redis answers") { (try? await redis.set("k", "v")) != nil }
                try await server.stop()
                let clock = ContinuousClock()
                var samples: [Duration] = []
                for _ in 0..<calls {
                    let start = clock.now
                    _ = try? await redis.get("k")
                    samples.append(clock.now - start)
                }
                samples.sort()
                func ms(_ d: Duration) -> String { String(format: "%.2f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3) }
                print("redis-failfast: \(calls) calls to a stopped Redis: min \(ms(samples[0])) ms, median \(ms(samples[calls / 2])) ms, "
                      + "p95 \(ms(samples[calls * 95 / 100])) ms, max \(ms(samples[calls - 1])) ms")
            }
        }
    }
}
