import AnalyticsStore

/// Cache-aside in Redis under the generation namespace of `CacheNamespace`, with an in-process
/// layer in front that is used only while the invalidation subscription is live.
///
/// An entry's Redis key holds the generation and the versions of its tags (`CacheKey.redisKey`).
/// Lookup: versions from memory (live; no round trip) or from Redis (one pipelined round trip) ->
/// local layer (live only) -> Redis GET -> `load` from PostgreSQL, then SET EX. A read that loaded
/// old rows and stores them after an invalidation stores them under the old versions, which nobody
/// reads again. Any Redis error or timeout (50 ms) makes the read a counted fallback to PostgreSQL.
struct RedisMetricsCache: MetricsCache {
    let redis: RedisClient
    let tracker: GenerationTracker
    let local: LocalCache
    let ttlSeconds: Int
    let metrics: APIMetrics

    func liveVersion(of key: CacheKey) -> KeyVersion? { tracker.liveVersion(for: key.tags) }

    func value(_ cacheKey: CacheKey,
               load: @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        let family = cacheKey.family
        let version: KeyVersion
        let key: String
        if let live = tracker.liveVersion(for: cacheKey.tags) {
            version = live
            key = cacheKey.redisKey(live)
            if let hit = local.get(key) {
                metrics.recordCache(family: family, outcome: .localHit)
                return hit
            }
        } else {
            do {
                let read = try await CacheNamespace.versions(of: cacheKey.tags, redis: redis)
                version = KeyVersion(generation: read.generation, tagVersions: read.tagVersions)
                key = cacheKey.redisKey(version)
            } catch {
                metrics.recordRedisError()
                metrics.recordCache(family: family, outcome: .fallback)
                return try await load()
            }
        }
        do {
            if let bytes = try await redis.get(key) {
                metrics.recordCache(family: family, outcome: .hit)
                if tracker.liveVersion(for: cacheKey.tags) == version { local.set(key, bytes) }
                return bytes
            }
        } catch {
            metrics.recordRedisError()
            metrics.recordCache(family: family, outcome: .fallback)
            return try await load()
        }
        metrics.recordCache(family: family, outcome: .miss)
        let value = try await load()
        do {
            try await redis.set(key, value, expireSeconds: ttlSeconds)
            if tracker.liveVersion(for: cacheKey.tags) == version { local.set(key, value) }
        } catch {
            metrics.recordRedisError()
        }
        return value
    }
}
