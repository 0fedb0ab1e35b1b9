@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Cache-aside in a Redis of this suite's own: miss then hit on /metrics, invalidation after a metric
/// job and after an audit write, Redis stopped mid-test with requests still 200.
@Suite("Cache", .serialized)
struct CacheTests {
    static func metricValue(_ text: String, _ prefix: String) -> Double {
        text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    static func metricsText(_ client: some TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
    }

    /// Waits until the app's invalidation subscriber (a service) is live, so the in-process layer is used.
    static func waitForSubscription(_ app: TestApp) async throws {
        let tracker = try #require((app.dependencies.cache as? RedisMetricsCache)?.tracker)
        try await Waiting.until("the invalidation subscription is live") { tracker.liveGeneration != nil }
    }

    /// A fixture database and a Redis of the test's own for `body`; both removed afterwards.
    static func withFixtureAndRedis(_ body: (TestDatabase, LocalRedis) async throws -> Void) async throws {
        try await FixtureDatabase.with { db in
            try await LocalRedis.with { redis in try await body(db, redis) }
        }
    }

    @Test("a drilldown page is served from the process's cache until a metric job commits, then recomputed")
    func drilldownPagesCachedPerGeneration() async throws {
        try await Self.withFixtureAndRedis { db, redis in
            let app = try await TestApp.make(database: db, redisURL: redis.url)
            let headers = try await app.headers("viewer")
            let uri = "/api/v1/loans/fimr-drilldown?limit=5&fields=loan_id,current_dpd"
            try await app.application.test(.live) { client in
                try await Self.waitForSubscription(app)
                let first = try await client.execute(uri: uri, method: .get, headers: headers) { String(buffer: $0.body) }
                let second = try await client.execute(uri: uri, method: .get, headers: headers) { String(buffer: $0.body) }
                #expect(first == second)
                var text = try await Self.metricsText(client)
                #expect(Self.metricValue(text, "analytics_api_cache_misses_total{family=\"loan_drilldown\"}") == 1)
                #expect(Self.metricValue(text, "analytics_api_cache_hits_total{family=\"loan_drilldown\"") == 1)

                // A refresh as of a later date commits: the next read is recomputed at that date.
                try await FixtureDatabase.runWorker(["refresh-loans", "--as-of", "2024-11-08"], database: db, redisURL: redis.url)
                try await Waiting.until("the drilldown is served as of 2024-11-08") {
                    try await client.execute(uri: uri, method: .get, headers: headers) {
                        try Body.meta($0)["calculation_date"]?.stringValue
                    } == "2024-11-08"
                }
                text = try await Self.metricsText(client)
                #expect(Self.metricValue(text, "analytics_api_cache_misses_total{family=\"loan_drilldown\"}") >= 2)
            }
        }
    }

    @Test("a miss then a hit, visible on /metrics; a metric job invalidates; an audit write shows at once")
    func missHitInvalidate() async throws {
        try await Self.withFixtureAndRedis { db, redis in
            let app = try await TestApp.make(database: db, redisURL: redis.url)
            let headers = try await app.headers("auditor")
            try await app.application.test(.live) { client in
                try await Self.waitForSubscription(app)
                for _ in 0..<3 {
                    try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: headers) { #expect($0.status == .ok) }
                }
                var text = try await Self.metricsText(client)
                #expect(Self.metricValue(text, "analytics_api_cache_misses_total{family=\"officer_list\"}") == 1)
                #expect(Self.metricValue(text, "analytics_api_cache_hits_total{family=\"officer_list\"") == 2)

                // A metric job for a new date commits and invalidates: the default date moves at once.
                try await FixtureDatabase.runWorker(["full-refresh", "--as-of", "2024-11-08"], database: db, redisURL: redis.url)
                try await Waiting.until("the list is served as of 2024-11-08") {
                    try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: headers) {
                        try Body.meta($0)["calculation_date"]?.stringValue
                    } == "2024-11-08"
                }
                try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: headers) { response in
                    let actual = try Body.meta(response)["calculation_date"]
                    #expect(actual == .string("2024-11-08"))
                }
                // Loaded again after the job: by a reader (a miss) or ahead of it (refresh ahead).
                text = try await Self.metricsText(client)
                #expect(Self.metricValue(text, "analytics_api_cache_misses_total{family=\"officer_list\"}")
                    + Self.metricValue(text, "analytics_api_cache_refreshes_total{family=\"officer_list\",outcome=\"loaded\"}") >= 2)

                // An audit write: the cached detail and list show the new fields on the next read.
                try await client.execute(uri: "/api/v1/metrics/officers/OFF0002", method: .get, headers: headers) { response in
                    let actual = try Body.data(response)["audit_info"]?.objectValue?["audit_status"]
                    #expect(actual == .null)
                }
                let json = try await app.jsonHeaders("auditor")
                try await client.execute(uri: "/api/v1/audit/officers/OFF0002/assignee", method: .put, headers: json,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"TM003\"}")) { #expect($0.status == .ok) }
                try await client.execute(uri: "/api/v1/metrics/officers/OFF0002", method: .get, headers: headers) { response in
                    let actual = try Body.data(response)["audit_info"]?.objectValue?["audit_status"]
                    #expect(actual == .string("Assigned"))
                }
                try await client.execute(uri: "/api/v1/metrics/officers?officer_id=OFF0002", method: .get, headers: headers) { response in
                    let actual = try Body.rows(response).first?["audit_status"]
                    #expect(actual == .string("Assigned"))
                }
            }
        }
    }

    @Test("a finished officer page outlives writes to other officers and never shows stale audit fields")
    func officerPageAuditStamp() async throws {
        try await Self.withFixtureAndRedis { db, redis in
            let app = try await TestApp.make(database: db, redisURL: redis.url)
            let headers = try await app.headers("auditor")
            let json = try await app.jsonHeaders("auditor")
            let uri = "/api/v1/metrics/officers?officer_id=OFF0001&fields=officer_id,audit_status,assignee"
            try await app.application.test(.live) { client in
                try await Self.waitForSubscription(app)
                func status() async throws -> JSONValue? {
                    try await client.execute(uri: uri, method: .get, headers: headers) { try Body.rows($0).first?["audit_status"] }
                }
                #expect(try await status() == .null)
                #expect(try await status() == .null)
                // A write to an officer not on the page: the page is unchanged.
                try await client.execute(uri: "/api/v1/audit/officers/OFF0002/assignee", method: .put, headers: json,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"TM003\"}")) { #expect($0.status == .ok) }
                #expect(try await status() == .null)
                // A write to the officer on the page: the very next read shows it.
                try await client.execute(uri: "/api/v1/audit/officers/OFF0001/assignee", method: .put, headers: json,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"TM003\"}")) { #expect($0.status == .ok) }
                #expect(try await status() == .string("Assigned"))
                try await client.execute(uri: "/api/v1/audit/officers/OFF0001/status", method: .put, headers: json,
                                         body: ByteBuffer(string: "{\"audit_status\":\"In Progress\"}")) { #expect($0.status == .ok) }
                #expect(try await status() == .string("In Progress"))
                // Each write incremented the audit counter that other replicas re-read.
                let writes = try await app.redis?.get(InvalidationSubscriber.auditCounterKey)
                #expect(writes.map { String(decoding: $0, as: UTF8.self) } == "3")
            }
        }
    }

    @Test("Redis stopped mid-test: requests still 200 from PostgreSQL, counted as fallbacks")
    func redisDown() async throws {
        let db = try await SharedFixture.database()
        try await LocalRedis.with { redis in
            let app = try await TestApp.make(database: db, redisURL: redis.url)
            let headers = try await app.headers("viewer")
            let uris = ["/api/v1/metrics/officers", "/api/v1/metrics/branches", "/api/v1/filters/options", "/api/v1/metrics/officers/OFF0001"]
            try await app.application.test(.router) { client in
                for uri in uris {
                    try await client.execute(uri: uri, method: .get, headers: headers) { #expect($0.status == .ok) }
                }
                try await redis.stop()
                for uri in uris + uris {
                    try await client.execute(uri: uri, method: .get, headers: headers) { response in
                        #expect(response.status == .ok, "\(uri) with Redis down")
                    }
                }
                let text = try await Self.metricsText(client)
                #expect(Self.metricValue(text, "analytics_api_cache_fallbacks_total") >= 4)
            }
        }
    }

    /// Progress of the load run, shared by the readers and the task that stops and restarts Redis.
    final class LoadProgress: Sendable {
        let requests = Atomic<Int>(0)
        let done = Atomic<Bool>(false)

        /// Waits until the readers have completed `count` more requests.
        func waitForRequests(_ count: Int) async throws {
            let target = requests.load(ordering: .relaxed) + count
            try await Waiting.until("\(count) more requests completed") { requests.load(ordering: .relaxed) >= target }
        }
    }

    @Test("Redis stopped during a load run: every read succeeds; when Redis is back, cache hits resume without a restart")
    func redisOutageUnderLoad() async throws {
        let db = try await SharedFixture.database()
        try await LocalRedis.with { redis in
            let app = try await TestApp.make(database: db, redisURL: redis.url)
            let headers = try await app.headers("viewer")
            let uris = ["/api/v1/metrics/officers", "/api/v1/metrics/branches", "/api/v1/filters/options",
                        "/api/v1/metrics/officers/OFF0001", "/api/v1/loans/fimr-drilldown?limit=10"]
            try await app.application.test(.live) { client in
                try await Self.waitForSubscription(app)
                let progress = LoadProgress()
                let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var seen: [Int] = []
                            var n = worker
                            while !progress.done.load(ordering: .relaxed) {
                                n += 1
                                seen.append(try await client.execute(uri: uris[n % uris.count], method: .get, headers: headers) { $0.status.code })
                                progress.requests.add(1, ordering: .relaxed)
                            }
                            return seen
                        }
                    }
                    group.addTask {
                        // Load before, during and after the outage, measured in requests, not time.
                        defer { progress.done.store(true, ordering: .relaxed) }
                        try await progress.waitForRequests(40)
                        try await redis.stop()
                        try await progress.waitForRequests(40)
                        try await redis.startAgain()
                        try await progress.waitForRequests(40)
                        return []
                    }
                    return try await group.reduce(into: [Int]()) { $0 += $1 }
                }
                #expect(!statuses.isEmpty)
                #expect(statuses.allSatisfy { $0 == 200 }, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
                var text = try await Self.metricsText(client)
                #expect(Self.metricValue(text, "analytics_api_cache_fallbacks_total") >= 1)
                // Hits resume: the same process, Redis back.
                let hitsAfterOutage = Self.metricValue(text, "analytics_api_cache_hits_total")
                try await Waiting.until("cache hits resume after Redis came back") {
                    for uri in uris {
                        try await client.execute(uri: uri, method: .get, headers: headers) { #expect($0.status == .ok) }
                    }
                    text = try await Self.metricsText(client)
                    return Self.metricValue(text, "analytics_api_cache_hits_total") > hitsAfterOutage + Double(uris.count)
                }
            }
        }
    }
}
