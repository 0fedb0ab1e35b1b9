import AnalyticsStore
import Logging

/// Cache-aside in Redis under the generation namespace of `CacheNamespace`, with an in-process
/// layer in front that is used only while the invalidation subscription is live.
///
/// An entry's Redis key holds the generation; its value is labelled with the versions of its tags
/// (`KeyVersion.labelled`). Lookup: versions from memory (live; no round trip) or from Redis (one
/// pipelined round trip) -> local layer (live only) -> Redis GET, taken only when its label is the
/// reader's version -> `load` from PostgreSQL, then SET EX labelled with the version read before
/// loading. A read that loaded old rows and stores them after an invalidation labels them with the
/// old versions, which no reader takes again (the next reader replaces them). Any Redis error or
/// timeout (50 ms) makes the read a counted fallback to PostgreSQL.
/// Readers of one key at one version that miss the local layer together share one Redis GET and,
/// on a miss, one load (`LoadCoalescer`): an invalidated hot page is loaded once, not once per reader.
/// With `hotKeys`, every read is remembered with its load, so `RefreshAheadService` loads the
/// recently read entries an invalidation moved before their next reader asks (`refresh`).
struct RedisMetricsCache: MetricsCache {
    let redis: RedisClient
    let tracker: GenerationTracker
    let local: LocalCache
    let ttlSeconds: Int
    let metrics: APIMetrics
    var hotKeys: HotKeys?
    let flights = LoadCoalescer<Flight>()

    /// What one shared load is for: an entry at one version.
    struct Flight: Hashable, Sendable {
        var key: CacheKey
        var version: KeyVersion
    }

    func liveVersion(of key: CacheKey) -> KeyVersion? { tracker.liveVersion(for: key.tags) }

    func currentVersion(of tags: [CacheTag]) async -> KeyVersion? {
        do {
            let read = try await CacheNamespace.versions(of: tags, redis: redis)
            return KeyVersion(generation: read.generation, tagVersions: read.tagVersions)
        } catch {
            metrics.recordRedisError()
            return nil
        }
    }

    func value(_ cacheKey: CacheKey,
               load: @escaping @Sendable () async throws -> [UInt8]) async throws -> [UInt8] {
        hotKeys?.read(cacheKey, load: load)
        let family = cacheKey.family
        let version: KeyVersion
        if let live = tracker.liveVersion(for: cacheKey.tags) {
            version = live
            if let hit = local.get(cacheKey, version: live) {
                metrics.recordCache(family: family, outcome: .localHit)
                return hit
            }
        } else {
            do {
                let read = try await CacheNamespace.versions(of: cacheKey.tags, redis: redis)
                version = KeyVersion(generation: read.generation, tagVersions: read.tagVersions)
            } catch {
                metrics.recordRedisError()
                metrics.recordCache(family: family, outcome: .fallback)
                return try await load()
            }
        }
        return try await flights.value(Flight(key: cacheKey, version: version), shared: { shared in
            if shared { metrics.recordCache(family: family, outcome: .shared) }
        }) {
            try await fetch(cacheKey, version: version, load: load) { metrics.recordCache(family: family, outcome: $0) }
        }
    }

    /// Refresh ahead (`RefreshAheadService`): makes the entry at its current version present in
    /// process (and in Redis), as a reader's miss would, without counting as a read. Only while the
    /// version is known in memory (nothing is kept in process otherwise); a failure is logged and
    /// left to the next reader.
    func refresh(_ cacheKey: CacheKey, load: @escaping @Sendable () async throws -> [UInt8], logger: Logger) async {
        let family = cacheKey.family
        guard let version = tracker.liveVersion(for: cacheKey.tags), local.get(cacheKey, version: version) == nil else {
            return
        }
        do {
            _ = try await flights.value(Flight(key: cacheKey, version: version)) {
                try await fetch(cacheKey, version: version, load: load) { outcome in
                    switch outcome {
                    case .miss: metrics.recordRefresh(family: family, outcome: .loaded)
                    case .hit: metrics.recordRefresh(family: family, outcome: .redis)
                    case .localHit, .shared, .fallback: metrics.recordRefresh(family: family, outcome: .fallback)
                    }
                }
            }
        } catch {
            metrics.recordRefresh(family: family, outcome: .failed)
            logger.debug("refresh ahead failed; the next reader loads the entry", metadata: [
                "family": "\(family.rawValue)", "error": "\(error)",
            ])
        }
    }

    /// Redis GET of the entry at `version`, else `load` and SET; `record` is told which.
    private func fetch(_ cacheKey: CacheKey, version: KeyVersion,
                       load: @Sendable () async throws -> [UInt8],
                       record: (APIMetrics.CacheOutcome) -> Void) async throws -> [UInt8] {
        let key = cacheKey.redisKey(generation: version.generation)
        do {
            if let bytes = try await redis.get(key), let value = version.value(ofLabelled: bytes) {
                record(.hit)
                if tracker.liveVersion(for: cacheKey.tags) == version { local.set(cacheKey, version: version, value) }
                return value
            }
        } catch {
            metrics.recordRedisError()
            record(.fallback)
            return try await load()
        }
        record(.miss)
        let value = try await load()
        do {
            try await redis.set(key, version.labelled(value), expireSeconds: ttlSeconds)
            if tracker.liveVersion(for: cacheKey.tags) == version { local.set(cacheKey, version: version, value) }
        } catch {
            metrics.recordRedisError()
        }
        return value
    }
}
