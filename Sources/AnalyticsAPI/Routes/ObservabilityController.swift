import AnalyticsStore
import Foundation
import Hummingbird
import Prometheus

/// `GET /metrics` (Prometheus text, no token) and `GET /openapi.json` (the document in the bundle).
///
/// The one database read of `/metrics` (the age of the newest calculation) is made at most once per
/// `freshnessInterval`, whatever the scrape rate (`CalculationAgeSampler`).
struct ObservabilityController: Sendable {
    let metrics: APIMetrics
    let repository: any MetricsRepository
    let pools: [(name: String, pool: PostgresPool)]
    let openAPI: [UInt8]
    var freshnessInterval: Duration = CalculationAgeSampler.defaultInterval

    func addRoutes(to router: some RouterMethods<APIRequestContext>) {
        let inUse = pools.map {
            metrics.registry.makeGauge(descriptor: Self.descriptor("db_pool_in_use", "Connections leased"), labels: [("pool", $0.name)])
        }
        let waiting = pools.map {
            metrics.registry.makeGauge(descriptor: Self.descriptor("db_pool_waiting", "Callers waiting for a connection"), labels: [("pool", $0.name)])
        }
        let open = pools.map {
            metrics.registry.makeGauge(descriptor: Self.descriptor("db_pool_open", "Connections open"), labels: [("pool", $0.name)])
        }
        let freshness = metrics.registry.makeGauge(
            descriptor: Self.descriptor("seconds_since_last_calculation", "Seconds since the newest complete officer metrics calculation"))
        let pools = self.pools
        let sampler = CalculationAgeSampler(repository: repository, interval: freshnessInterval)
        let registry = metrics.registry
        router.get("/metrics") { _, _ -> Response in
            for (i, entry) in pools.enumerated() {
                let stats = entry.pool.statistics
                inUse[i].set(Double(stats.inUse))
                waiting[i].set(Double(stats.waiting))
                open[i].set(Double(stats.open))
            }
            if let age = await sampler.age() {
                freshness.set(age)
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        let openAPI = self.openAPI
        router.get("/openapi.json") { request, _ -> Response in
            ResponseBuilder.json(openAPI, for: request)
        }
    }

    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "analytics_api", metricName: name, unitName: "", helpText: help)
    }

    /// The OpenAPI document shipped in the bundle.
    static func loadOpenAPI() -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else {
            return Array("{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"missing\",\"version\":\"0\"},\"paths\":{}}".utf8)
        }
        return Array(data)
    }
}
