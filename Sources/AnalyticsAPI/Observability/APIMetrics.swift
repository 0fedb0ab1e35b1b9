import AnalyticsStore
import Foundation
import Prometheus
import Synchronization

/// The API's Prometheus metrics (`/metrics`): request latency per route and status, cache hits and
/// misses per key family, cache fallbacks to PostgreSQL, metric reads that fell back from the read
/// replica to the primary, and gauges filled at scrape time (or by `ReplicaLagMonitor`).
final class APIMetrics: Sendable {
    /// The registry `/metrics` renders.
    let registry = PrometheusCollectorRegistry()
    private let histograms = Mutex<[String: DurationHistogram]>([:])
    private let counters = Mutex<[String: Counter]>([:])
    private static let buckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    init() {}

    /// Records one request's duration under its route template and status code.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let key = "\(method) \(route) \(status)"
        let histogram = histograms.withLock { map in
            if let existing = map[key] { return existing }
            let made = registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(namespace: "analytics_api", metricName: "http_request_duration",
                                                 unitName: "seconds", helpText: "Request latency by route and status"),
                labels: [("route", route), ("method", method), ("status", String(status))],
                buckets: Self.buckets)
            map[key] = made
            return made
        }
        histogram.record(duration)
    }

    /// A cache lookup's outcome for a key family.
    enum CacheOutcome: String {
        /// Found in the in-process cache.
        case localHit = "local_hit"
        /// Found in Redis.
        case hit
        /// Loaded by a concurrent read of the same entry and version, waited for (`LoadCoalescer`).
        case shared
        /// Not cached: read from PostgreSQL.
        case miss
        /// Redis down or slow: read from PostgreSQL without caching.
        case fallback
    }

    /// Counts one cache lookup: hits by layer, misses, and fallbacks to PostgreSQL (Redis down or slow).
    func recordCache(family: CacheNamespace.Family, outcome: CacheOutcome) {
        switch outcome {
        case .localHit:
            counter("cache_hits", "Cache hits by key family and layer", [("family", family.rawValue), ("layer", "local")]).increment()
        case .hit:
            counter("cache_hits", "Cache hits by key family and layer", [("family", family.rawValue), ("layer", "redis")]).increment()
        case .shared:
            counter("cache_hits", "Cache hits by key family and layer", [("family", family.rawValue), ("layer", "shared")]).increment()
        case .miss:
            counter("cache_misses", "Cache misses by key family", [("family", family.rawValue)]).increment()
        case .fallback:
            counter("cache_fallbacks", "Reads served from PostgreSQL because Redis was down or slow",
                    [("family", family.rawValue)]).increment()
        }
    }

    /// How a refresh ahead (`RefreshAheadService`) ended.
    enum RefreshOutcome: String {
        /// Loaded from PostgreSQL and stored.
        case loaded
        /// Found in Redis (another replica had stored it).
        case redis
        /// Redis down or slow: loaded, not stored.
        case fallback
        /// The load failed (the next reader loads the entry).
        case failed
    }

    /// Counts one refresh ahead of an entry an invalidation moved, by key family and outcome.
    func recordRefresh(family: CacheNamespace.Family, outcome: RefreshOutcome) {
        counter("cache_refreshes", "Entries loaded again ahead of their readers after an invalidation, by key family and outcome",
                [("family", family.rawValue), ("outcome", outcome.rawValue)]).increment()
    }

    /// Counts one metric read served by the primary instead of the read replica, by reason
    /// (`ReadPool.FallbackReason`): `analytics_api_database_read_fallbacks_total{reason}`.
    func recordReadFallback(reason: ReadPool.FallbackReason) {
        counter("database_read_fallbacks", "Metric reads served by the primary because the read replica could not answer, by reason",
                [("reason", reason.rawValue)]).increment()
    }

    /// Counts Redis errors seen by the cache (down, slow, protocol).
    func recordRedisError() {
        counter("redis_errors", "Redis calls that failed or timed out", []).increment()
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { map in
            if let existing = map[key] { return existing }
            let made = registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "analytics_api", metricName: name, unitName: "total", helpText: help),
                labels: labels)
            map[key] = made
            return made
        }
    }
}
