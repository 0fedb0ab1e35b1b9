import AnalyticsStore

/// Cache-aside for rendered metric reads (API.md "Caching"). Keys are `CacheKey`s, which always
/// hold the caller's role and scope, so an entry never mixes roles or scopes.
protocol MetricsCache: Sendable {
    /// The cached bytes under `key` in the current generation, or the result of `load` (stored for
    /// next time). A cache that is down or slow never fails the read: `load` runs.
    func value(_ key: CacheKey,
               load: @Sendable () async throws -> [UInt8]) async throws -> [UInt8]
    /// The generation while invalidations are known at once (the subscription is live), else nil.
    var liveGeneration: Int64? { get }
}

/// No cache: every read goes to PostgreSQL (no `REDIS_URL`).
struct NoMetricsCache: MetricsCache {
    var liveGeneration: Int64? { nil }

    func value(_ key: CacheKey,
               load: @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        try await load()
    }
}
