import AnalyticsStore

/// Cache-aside in Redis under the generation namespace of `CacheNamespace`, with an in-process
/// layer in front that is used only while the invalidation subscription is live.
///
/// Lookup: local layer (live generation only) -> Redis GET -> `load` from PostgreSQL, then SET EX.
/// Any Redis error or timeout (50 ms) makes the read a counted fallback to PostgreSQL.
struct RedisMetricsCache: MetricsCache {
    let redis: RedisClient
    let tracker: GenerationTracker
    let local: LocalCache
    let ttlSeconds: Int
    let metrics: APIMetrics

    var liveGeneration: Int64? { tracker.liveGeneration }

    func value(_ cacheKey: CacheKey,
               load: @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        let family = cacheKey.family
        let generation: Int64
        var liveKey: String?
        if let live = tracker.liveGeneration {
            generation = live
            let key = cacheKey.redisKey(generation: live)
            liveKey = key
            if let hit = local.get(key) {
                metrics.recordCache(family: family, outcome: .localHit)
                return hit
            }
        } else {
            do {
                generation = try await CacheNamespace.generation(redis: redis)
            } catch {
                metrics.recordRedisError()
                metrics.recordCache(family: family, outcome: .fallback)
                return try await load()
            }
        }
        let key = liveKey ?? cacheKey.redisKey(generation: generation)
        do {
            if let bytes = try await redis.get(key) {
                metrics.recordCache(family: family, outcome: .hit)
                if tracker.liveGeneration == generation { local.set(key, bytes) }
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
            if tracker.liveGeneration == generation { local.set(key, value) }
        } catch {
            metrics.recordRedisError()
        }
        return value
    }
}
