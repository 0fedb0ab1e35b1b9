@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// The endpoints anyone can call: `/ready` says a status, never why (the why goes to the log), and
/// `/metrics` reads the database at most once per interval, whatever the scrape rate.
@Suite("Open endpoints: /ready reports a status only, /metrics reads the database once per interval")
struct OpenEndpointTests {
    /// Log lines captured by `CapturingLogHandler`.
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])
        var text: String { lines.withLock { $0.joined(separator: "\n") } }
    }

    /// A swift-log handler that keeps each message and its metadata.
    struct CapturingLogHandler: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            captured.lines.withLock { $0.append("\(event.message) \(merged)") }
        }
    }

    @Test("/ready with the database and Redis unreachable: 503 with statuses only; host, port, database and user go to the log")
    func readyHidesConnectionDetails() async throws {
        let db = try await SharedFixture.database()
        let port = Int(try await ServerScript.run(["free-port"])) ?? 1
        let configuration = try PostgresConfiguration(url: "postgres://ready_secret_user@127.0.0.1:\(port)/ready_secret_db")
        let pool = PostgresPool(configuration: configuration, maximumConnections: 1, acquireTimeout: .seconds(10), executor: db.executor)
        let redis = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:\(port)"), executor: db.executor)
        let captured = Captured()
        var dependencies = try await TestApp.make(database: db).dependencies
        dependencies.readiness = StoreReadinessProbe(pool: pool, redis: redis,
                                                     logger: Logger(label: "ready-test") { _ in CapturingLogHandler(captured: captured) })
        try await Application(router: buildRouter(dependencies)).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
                for secret in ["ready_secret_user", "ready_secret_db", "127.0.0.1", "\(port)"] {
                    #expect(!text.contains(secret), "\(text)")
                }
                let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                #expect(report.database == "unavailable")
                #expect(report.redis == "degraded")
                #expect(!report.ready)
            }
        }
        pool.shutdown()
        redis.shutdown()
        #expect(captured.text.contains("ready_secret_db"), "\(captured.text)")
    }

    /// A `MetricsRepository` that counts `lastCompletedCalculation` calls and answers a fixed age;
    /// nothing else of it is used by `/metrics`.
    final class CountingRepository: MetricsRepository {
        let calls = Mutex(0)
        func latestCompleteDate() async throws -> Freshness? { nil }
        func completeDate(_ date: CalendarDate) async throws -> Freshness? { nil }
        func completeDates(from: CalendarDate, to: CalendarDate) async throws -> [Freshness] { [] }
        func officers(_ query: OfficerListQuery) async throws -> RenderedPage { RenderedPage(rows: [], total: 0) }
        func officerDetail(id: String, date: CalendarDate, scope: AccessScope, maskPhones: Bool) async throws -> OfficerDetail? { nil }
        func branches(_ query: BranchQuery) async throws -> RenderedPage { RenderedPage(rows: [], total: 0) }
        func loanStatesFreshness() async throws -> Freshness? { nil }
        func drilldown(_ query: DrilldownQuery) async throws -> RenderedPage { RenderedPage(rows: [], total: 0) }
        func filterOptions(scope: AccessScope) async throws -> [UInt8] { [] }
        func lastCompletedCalculation() async throws -> Double? {
            calls.withLock { $0 += 1 }
            return 120
        }
    }

    /// Scrapes `/metrics` `times` times through a controller reading the age at most once per
    /// `interval`; returns how often the repository was asked and the last body.
    static func scrape(times: Int, interval: Duration) async throws -> (calls: Int, body: String) {
        let repository = CountingRepository()
        let router = Router(context: APIRequestContext.self)
        ObservabilityController(metrics: APIMetrics(), repository: repository, pools: [], openAPI: [],
                                freshnessInterval: interval).addRoutes(to: router)
        let body = Mutex("")
        try await Application(router: router).test(.router) { client in
            for _ in 0..<times {
                let text = try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    return String(decoding: response.body.readableBytesView, as: UTF8.self)
                }
                body.withLock { $0 = text }
            }
        }
        return (repository.calls.withLock { $0 }, body.withLock { $0 })
    }

    @Test("two scrapes in a row query the database once; the gauge is still there")
    func metricsQueryCached() async throws {
        // An interval far longer than the test, so the result does not depend on how fast it runs.
        let cached = try await Self.scrape(times: 2, interval: .seconds(3600))
        #expect(cached.calls == 1)
        #expect(cached.body.contains("analytics_api_seconds_since_last_calculation 12"))
        // The count comes from the interval: with none, every scrape reads.
        let uncached = try await Self.scrape(times: 2, interval: .zero)
        #expect(uncached.calls == 2)
    }
}
