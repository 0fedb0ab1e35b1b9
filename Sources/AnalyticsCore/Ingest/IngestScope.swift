/// The regions and branches a sender may write (the `regions` / `branches` claims of an API token,
/// API.md "Row-level scope"). Both lists restrict together (the intersection); a nil list does not
/// restrict. An ingest without a scope (the worker's files, an unscoped token) checks nothing.
public struct IngestScope: Sendable, Hashable {
    /// The regions allowed, or nil for all.
    public var regions: Set<String>?
    /// The branches allowed, or nil for all.
    public var branches: Set<String>?

    /// A scope; nil when neither list is given (nothing to restrict).
    public init?(regions: [String]?, branches: [String]?) {
        guard regions != nil || branches != nil else { return nil }
        self.regions = regions.map(Set.init)
        self.branches = branches.map(Set.init)
    }

    /// True when a row of this region and branch is inside the scope.
    public func allows(_ placement: IngestPlacement) -> Bool {
        (regions?.contains(placement.region) ?? true) && (branches?.contains(placement.branch) ?? true)
    }
}

/// Where a row is: its region and branch (an officer's, or a loan's own).
public struct IngestPlacement: Sendable, Hashable {
    /// The region.
    public var region: String
    /// The branch.
    public var branch: String

    /// Creates a placement.
    public init(region: String, branch: String) {
        self.region = region
        self.branch = branch
    }
}
