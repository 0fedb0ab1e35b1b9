/// What makes a cached entry's key current: the cache generation and the versions of the entry's
/// tags, in the order of `CacheKey.tags`. Both only grow (a Redis restarted empty starts them again,
/// with no entries left), so an entry stored under a version that has since moved is never read again.
struct KeyVersion: Sendable, Hashable {
    /// The cache generation (`CacheNamespace.generationKey`).
    var generation: Int64
    /// The versions of the entry's tags (`CacheNamespace.tagVersionsKey`), in `CacheKey.tags` order.
    var tagVersions: [Int64]

    init(generation: Int64, tagVersions: [Int64] = []) {
        self.generation = generation
        self.tagVersions = tagVersions
    }
}
