@testable import AnalyticsAPI
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The values on `/metrics`, not only their names: latency per route and status, the pool gauges and
/// the age of the newest complete calculation.
@Suite("Observability: /metrics values")
struct ObservabilityTests {
    /// The sample lines of `name` whose labels contain every one of `labels` (`key="value"`).
    static func samples(_ text: String, _ name: String, _ labels: [String] = []) -> [Double] {
        text.split(separator: "\n").filter { line in
            (line.hasPrefix(name + "{") || line.hasPrefix(name + " ")) && labels.allSatisfy { line.contains($0) }
        }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    @Test("request counts per route and status, pool gauges, and the calculation age match what happened")
    func values() async throws {
        let db = try await SharedFixture.database()
        // A pool of the app's own: the shared database's pool is busy with other suites.
        let pool = PostgresPool(configuration: db.configuration, maximumConnections: 3, acquireTimeout: .seconds(10),
                                executor: db.executor)
        defer { pool.shutdown() }
        let app = try await TestApp.make(database: db, pool: pool)
        let headers = try await app.headers("viewer")
        try await app.application.test(.router) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/api/v1/metrics/branches", method: .get, headers: headers) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/api/v1/metrics/branches?bogus=1", method: .get, headers: headers) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/metrics/branches", method: .get) { #expect($0.status == .unauthorized) }
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }

            let route = "route=\"/api/v1/metrics/branches\""
            let count = "analytics_api_http_request_duration_seconds_count"
            #expect(Self.samples(text, count, [route, "status=\"200\""]) == [3])
            #expect(Self.samples(text, count, [route, "status=\"400\""]) == [1])
            #expect(Self.samples(text, count, [route, "status=\"401\""]) == [1])
            // Every bucket line of the 200 series is cumulative and ends at the count.
            let buckets = Self.samples(text, "analytics_api_http_request_duration_seconds_bucket", [route, "status=\"200\""])
            #expect(!buckets.isEmpty)
            #expect(buckets == buckets.sorted())
            #expect(buckets.last == 3)

            // No request is running while /metrics renders: nothing in use, nobody waiting, some open.
            #expect(Self.samples(text, "analytics_api_db_pool_in_use", ["pool=\"primary\""]) == [0])
            #expect(Self.samples(text, "analytics_api_db_pool_waiting", ["pool=\"primary\""]) == [0])
            #expect((Self.samples(text, "analytics_api_db_pool_open", ["pool=\"primary\""]).first ?? 0) >= 1)

            // The age of the newest complete officer metrics, as the database sees it.
            let age = try await db.pool.query("""
                SELECT extract(epoch FROM now() - max(completed_at))::float8 AS age FROM officer_metrics_served_dates
                """)[0].decode(Double.self, "age")
            let reported = try #require(Self.samples(text, "analytics_api_seconds_since_last_calculation").first)
            #expect(reported > 0)
            #expect(abs(reported - age) < 30, "reported \(reported) s, database says \(age) s")
        }
    }
}
