/// What a cached entry shows, for targeted invalidation.
///
/// Every cached read carries one or more tags (the API decides which: docs/operations.md "Cache
/// invalidation"). Each tag has a version in Redis (`CacheNamespace.tagVersionsKey`), and an entry's
/// key holds the versions of its tags, so `CacheNamespace.invalidate(tags:redis:)` moves every entry
/// that carries one of them to a key nobody reads any more, and leaves the others where they are.
public enum CacheTag: Hashable, Sendable {
    /// One officer's rows: the officer's detail, and lists and drilldowns filtered to that officer.
    case officer(String)
    /// One branch's rows: lists and drilldowns filtered to that branch (and the branch row).
    case branch(String)
    /// Anything that aggregates or ranks across officers or branches: unfiltered lists, lists by
    /// region or by a token's scope, the branches endpoint, the filter options.
    case book

    /// The tag's field in the hash of versions: `officer:{id}`, `branch:{name}` or `book`. The prefix
    /// tells the kinds apart whatever the id or name holds.
    public var field: String {
        switch self {
        case .officer(let id): "officer:" + id
        case .branch(let name): "branch:" + name
        case .book: "book"
        }
    }

    /// The tag whose `field` is `field`, or nil when it names none.
    public init?(field: String) {
        if field == "book" {
            self = .book
        } else if field.hasPrefix("officer:") {
            self = .officer(String(field.dropFirst("officer:".count)))
        } else if field.hasPrefix("branch:") {
            self = .branch(String(field.dropFirst("branch:".count)))
        } else {
            return nil
        }
    }
}

extension CacheTag: Comparable {
    /// Tags in the order of their fields: the order an entry's key lists their versions in.
    public static func < (lhs: CacheTag, rhs: CacheTag) -> Bool {
        lhs.field < rhs.field
    }
}
