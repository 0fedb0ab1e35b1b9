import AnalyticsStore

/// Which tags a cached read carries: the rule of docs/operations.md "Cache invalidation", in one place.
///
/// | read | tags |
/// |---|---|
/// | officer detail of X | `officer(X)` |
/// | officer list or drilldown with `officer_id=X` (any other filter too) | `officer(X)` |
/// | officer list or drilldown with `branch=B` and no `officer_id` | `branch(B)` |
/// | any other list or drilldown (unfiltered, by region, by a token's scope, by risk band) | `book` |
/// | branches endpoint, filter options | `book` |
///
/// An `officer_id` filter shows that officer's rows only, a `branch` filter that branch's officers
/// only; anything wider can be reordered or re-ranked by a change to an officer it does not show, so
/// it carries `book`. Whoever writes rows invalidates, for every officer row it changed (a rank
/// included), `officer(id)` and `branch` of the officer's branch before and after, and `book`.
extension CacheTag {
    /// The tags of a list or drilldown read with these filters.
    static func filtered(officerID: String?, branch: String?) -> [CacheTag] {
        if let officerID { return [.officer(officerID)] }
        if let branch { return [.branch(branch)] }
        return [.book]
    }
}
