import AnalyticsStore

/// A caller's role, from the token's `role` claim.
enum Role: String, Sendable, Comparable, CaseIterable {
    /// Reads.
    case viewer
    /// Reads and audit writes.
    case auditor
    /// Everything, with unmasked PII.
    case admin

    private var level: Int {
        switch self {
        case .viewer: 0
        case .auditor: 1
        case .admin: 2
        }
    }

    static func < (lhs: Role, rhs: Role) -> Bool { lhs.level < rhs.level }
}

/// The row-level scope of a token (API.md "Row-level scope"): nil lists mean no restriction; both
/// lists restrict together (the intersection).
struct AccessScope: Sendable, Hashable {
    /// Regions the token may see, or nil for all.
    var regions: [String]?
    /// Branches the token may see, or nil for all.
    var branches: [String]?

    /// The whole portfolio.
    static let unrestricted = AccessScope(regions: nil, branches: nil)

    init(regions: [String]?, branches: [String]?) {
        self.regions = regions.map { Array(Set($0)).sorted() }
        self.branches = branches.map { Array(Set($0)).sorted() }
    }

    /// True when the token sees everything.
    var isUnrestricted: Bool { regions == nil && branches == nil }

    /// True when a row with this region and branch is inside the scope.
    func allows(region: String, branch: String) -> Bool {
        (regions?.contains(region) ?? true) && (branches?.contains(branch) ?? true)
    }
}

/// Who is calling: the verified claims of the bearer token.
struct Identity: Sendable {
    /// The token's `sub`; recorded as the actor of audit writes.
    var subject: String
    /// The role.
    var role: Role
    /// The row-level scope.
    var scope: AccessScope

    /// True when PII must be masked for this caller (every role but admin).
    var masksPII: Bool { role != .admin }

    /// The cache key of a read of `family` by this caller (its role and scope are always part of it),
    /// showing `tags` (`CacheTag+Reads.swift`).
    func cacheKey(_ family: CacheNamespace.Family, resource: [String] = [],
                  parameters: [(name: String, value: String)] = [], tags: [CacheTag]) -> CacheKey {
        CacheKey(family, role: role, scope: scope, resource: resource, parameters: parameters, tags: tags)
    }
}
