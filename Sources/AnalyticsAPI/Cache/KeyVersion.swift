/// What makes a cached entry current: the cache generation (in its Redis key) and the versions of the
/// entry's tags, in the order of `CacheKey.tags` (with its value: `labelled(_:)`). Both only grow (a
/// Redis restarted empty starts them again, with no entries left), so an entry stored at a version
/// that has since moved is never served again: readers take an entry only at exactly their version.
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
