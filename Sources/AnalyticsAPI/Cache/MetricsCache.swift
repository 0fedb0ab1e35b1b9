import AnalyticsStore

/// Cache-aside for rendered metric reads (API.md "Caching"). Keys are `CacheKey`s, which always
/// hold the caller's role and scope, so an entry never mixes roles or scopes, and the entry's tags.
protocol MetricsCache: Sendable {
    /// The cached bytes under `key` at its current version, or the result of `load` (stored for
    /// next time). A cache that is down or slow never fails the read: `load` runs.
    func value(_ key: CacheKey,
               load: @escaping @Sendable () async throws -> [UInt8]) async throws -> [UInt8]
    /// The version `key` is current at while invalidations are known at once (the subscription is
    /// live and none of the key's tags waits for a re-read), else nil: then nothing may be kept in
    /// process for it.
    func liveVersion(of key: CacheKey) -> KeyVersion?
    /// The generation and the versions of `tags` read from Redis now (never from memory), or nil
    /// without a cache or when Redis does not answer. Read after an entry's own version, it is at
    /// least as new as the state that version describes (versions only grow).
    func currentVersion(of tags: [CacheTag]) async -> KeyVersion?
}

/// No cache: every read goes to PostgreSQL (no `REDIS_URL`).
struct NoMetricsCache: MetricsCache {
    func liveVersion(of key: CacheKey) -> KeyVersion? { nil }

    func currentVersion(of tags: [CacheTag]) async -> KeyVersion? { nil }

    func value(_ key: CacheKey,
               load: @escaping @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        try await load()
    }
}
