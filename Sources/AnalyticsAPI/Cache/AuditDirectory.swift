import AnalyticsStore

/// Audit fields for officer reads: from the in-process `AuditCache` when it is live, else (and for
/// what it lacks) from the primary in one query. After a write, `invalidate` drops the local entry
/// and tells the other replicas: the audit counter's INCR and the PUBLISH go in one pipeline, so a
/// replica that missed the message sees the counter move at its next periodic check
/// (`InvalidationSubscriber`) and empties its audit cache.
struct AuditDirectory: Sendable {
    let repository: any AuditRepository
    let cache: AuditCache
    let redis: RedisClient?
    let metrics: APIMetrics

    /// The audit rows of `ids` (`.none` for officers without one).
    func info(for ids: [String]) async throws -> [String: AuditInfo] {
        try await stamped(ids).info
    }

    /// The audit rows of `ids` and their stamp, taken before they were read (nil while the cache is
    /// not live): a body rendered from these rows is current while `cache.stamp(ids)` equals it.
    func stamped(_ ids: [String]) async throws -> (info: [String: AuditInfo], stamp: UInt64?) {
        let (found, missing, stamp) = cache.lookup(ids)
        guard !missing.isEmpty else { return (found, stamp) }
        var loaded = try await repository.auditInfo(officerIDs: missing)
        for id in missing where loaded[id] == nil { loaded[id] = AuditInfo.none }
        cache.store(loaded, stamp: stamp)
        return (found.merging(loaded) { a, _ in a }, stamp)
    }

    /// Called after an audit write commits, before the response: no cached read shows the old fields.
    func invalidate(officerID: String) async {
        cache.invalidate(officerID: officerID)
        guard let redis else { return }
        do {
            let replies = try await redis.pipeline([["INCR", InvalidationSubscriber.auditCounterKey],
                                                    ["PUBLISH", InvalidationSubscriber.auditChannel, officerID]])
            if replies.contains(where: { if case .error = $0 { true } else { false } }) { metrics.recordRedisError() }
        } catch {
            // Other replicas keep the old row until their periodic check or its TTL.
            metrics.recordRedisError()
        }
    }
}
