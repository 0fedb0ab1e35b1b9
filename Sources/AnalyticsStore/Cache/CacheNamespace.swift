/// The Redis key scheme shared by the API (which caches) and the worker (which invalidates).
///
/// Every cache key lives under a generation number: `{analytics}:v{generation}:{family}:{rest}`, and
/// the API labels each value with the versions of the entry's tags (`CacheTag`;
/// `CacheNamespace+Tags.swift`): a whole-book job bumps the generation (`invalidateAll`), an
/// incremental update bumps only the tags of what it changed (`invalidate(tags:redis:)`).
/// Invalidation is an `INCR` of `generationKey` and a `PUBLISH` on `invalidationChannel` sent in one
/// pipeline (one write: the announcement cannot be skipped by a failure between the two), so
/// replicas that keep the generation in memory learn about it at once; they also re-read the key
/// periodically, which heals a message they missed or a counter that went back (Redis restarted
/// empty). Old keys are never read again: the job that bumped deletes them (`dropEntries`), and the
/// TTL is only the backstop for an entry written late. Keys contain a hash tag (`{analytics}`) so a
/// later cluster client keeps them on one slot together with the generation key.
public enum CacheNamespace {
    /// The counter bumped by every invalidation.
    public static let generationKey = "{analytics}:generation"
    /// The channel that announces an invalidation; a subscriber re-reads `generationKey` on each
    /// message (the payload is `announcement`; older workers sent the new number, still accepted).
    public static let invalidationChannel = "{analytics}:invalidate"
    /// The payload of an invalidation message: sent in the same pipeline as the `INCR`, before its
    /// result is known, so it cannot carry the new number.
    public static let announcement = "bump"
    /// Default time to live of a cache entry, in seconds (API.md: 15 minutes).
    public static let defaultTTLSeconds = 900

    /// Key families (also the label of the hit/miss counters on `/metrics`).
    public enum Family: String, Sendable, CaseIterable {
        case officerMetrics = "officer_metrics"
        case officerList = "officer_list"
        case branchMetrics = "branch_metrics"
        case filterOptions = "filter_options"
        /// Drilldown pages: only in process (finished bodies per generation), never in Redis.
        case loanDrilldown = "loan_drilldown"
    }

    /// The key of an entry: `{analytics}:v{generation}:{family}:{parts joined by ':'}`.
    ///
    /// Parts that come from the outside (ids, branch names) are used as they are: Redis keys are
    /// binary-safe, and the family and generation prefix cannot be forged by them.
    public static func key(generation: Int64, family: Family, _ parts: [String]) -> String {
        entryPrefix + "\(generation):\(family.rawValue):" + parts.joined(separator: ":")
    }

    /// What every entry's key starts with, before its generation number.
    static let entryPrefix = "{analytics}:v"

    /// Reads the current generation (0 when never bumped).
    public static func generation(redis: RedisClient) async throws -> Int64 {
        guard let bytes = try await redis.get(generationKey) else { return 0 }
        return Int64(String(decoding: bytes, as: UTF8.self)) ?? 0
    }

    /// Invalidates every cached entry: bumps the generation and announces it, in one pipeline.
    /// Returns the new generation. Call it after the writing transaction has committed.
    /// Tag versions stay as they are: they only grow, and the new generation's keys hold no entries.
    @discardableResult
    public static func invalidateAll(redis: RedisClient) async throws -> Int64 {
        let replies = try await redis.pipeline([["INCR", generationKey], ["PUBLISH", invalidationChannel, announcement]])
        guard replies.count == 2, let generation = replies[0].integer else {
            throw RedisError(code: .protocolError, message: "INCR \(generationKey) did not return an integer")
        }
        if case .error(let message) = replies[1] {
            throw RedisError(code: .server, message: "PUBLISH \(invalidationChannel) failed: \(message)")
        }
        return generation
    }

    /// Deletes the entries of every generation but `generation`: the job that bumped calls it, so old
    /// generations go at once instead of holding Redis memory until their TTL. Newer ones go too: if the generation key was lost (evicted) while entries stayed,
    /// the counter climbs back through their numbers, and they must not be read again (a newer
    /// generation bumped concurrently only loses its first entries). Returns how many were deleted.
    /// An entry written late for an old generation (a read in flight during the bump) is never read
    /// and is removed by the next job's call, or by its TTL (the backstop) if none comes.
    @discardableResult
    public static func dropEntries(except generation: Int64, redis: RedisClient) async throws -> Int {
        let old = try await redis.scanKeys(matching: entryPrefix + "*").filter { key in
            let rest = key.utf8.dropFirst(entryPrefix.utf8.count)
            guard let colon = rest.firstIndex(of: UInt8(ascii: ":")),
                  let number = Int64(String(decoding: rest[..<colon], as: UTF8.self)) else { return false }
            return number != generation
        }
        var deleted = 0
        var start = 0
        while start < old.count {
            let end = min(start + 1_000, old.count)
            deleted += try await redis.unlink(Array(old[start..<end]))
            start = end
        }
        return deleted
    }
}
