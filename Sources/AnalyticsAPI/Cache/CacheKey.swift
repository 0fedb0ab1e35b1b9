import AnalyticsStore

/// The key of one cached read, used by every cached route (officer list and detail, branches,
/// filter options, drilldowns) in Redis and in the in-process caches of finished bodies.
///
/// It is the SHA-256 of a `CanonicalDigest` in which every part is length-prefixed: the family,
/// the caller's role, the caller's scope (regions and branches, "no restriction" distinct from an
/// empty list), the resource parts (an officer id, a drilldown kind) and the decoded query
/// parameters in name order. Two different reads therefore never share a key, whatever bytes their
/// values hold (`&`, `=`, `:`, `|` included): a parameter whose value spells out another query
/// cannot land on that query's entry. Role and scope are always in it (API.md "Caching").
///
/// It also names the entry's `tags` (`CacheTag+Reads.swift` decides them), which are in the digest
/// too: one digest always has the same tags, whose versions label its value (`KeyVersion.labelled`).
struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    /// The key family (the `{family}` part of the Redis key, and the label of the cache counters).
    let family: CacheNamespace.Family
    /// The SHA-256 of the canonical encoding.
    let digest: [UInt8]
    /// What the entry shows, sorted and without duplicates: invalidating any of them moves its key.
    let tags: [CacheTag]

    /// The key of a read of `family` by a caller with `role` and `scope`, of the resource named by
    /// `resource`, with the query `parameters` (decoded names and values, any order), showing `tags`.
    /// Without tags an entry is invalidated by the generation only (a cursor's filter hash uses that).
    init(_ family: CacheNamespace.Family, role: Role, scope: AccessScope, resource: [String] = [],
         parameters: [(name: String, value: String)] = [], tags: [CacheTag] = []) {
        self.family = family
        self.tags = Array(Set(tags)).sorted()
        var encoding = CanonicalDigest()
        encoding.string("F", family.rawValue)
        encoding.string("O", role.rawValue)
        encoding.list("R", scope.regions)
        encoding.list("B", scope.branches)
        encoding.list("P", resource)
        let sorted = parameters.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        encoding.list("Q", sorted.flatMap { [$0.name, $0.value] })
        // Only when there are tags, so a key without them (a cursor's filter hash) keeps its digest.
        if !self.tags.isEmpty { encoding.list("T", self.tags.map(\.field)) }
        digest = encoding.digest
    }

    /// `family:hex digest`: the last part of the Redis key, and how the key prints.
    var description: String { family.rawValue + ":" + hex }

    /// The digest in lower-case hex.
    var hex: String { CanonicalDigest.hex(digest) }

    /// The first 64 bits of the digest (a drilldown cursor's filter hash).
    var hash64: UInt64 {
        digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The Redis key of this entry under `generation`. Its tags' versions are not in the key but in
    /// the value (`KeyVersion.labelled`): one key per read and generation, whatever the number of
    /// targeted invalidations, so Redis holds no dead versions until their TTL.
    func redisKey(generation: Int64) -> String {
        CacheNamespace.key(generation: generation, family: family, [hex])
    }
}
