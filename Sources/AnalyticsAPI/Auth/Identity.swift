import AnalyticsCore
import AnalyticsStore

/// A caller's role, from the token's `role` claim (API.md "Security").
enum Role: String, Sendable, CaseIterable {
    /// Reads.
    case viewer
    /// Reads and audit writes.
    case auditor
    /// Everything, with unmasked PII.
    case admin
    /// Service tokens of the lending system: `POST /api/v1/ingest` and the rejects of its own
    /// batches, nothing else (no reads of metrics or audit data).
    case ingest

    /// True when a caller of this role may do what needs `needed`: the reading roles form a
    /// ladder (viewer, auditor, admin); ingest stands apart, and admin may do everything.
    func includes(_ needed: Role) -> Bool {
        switch (self, needed) {
        case (.admin, _), (.ingest, .ingest): true
        case (.ingest, _), (_, .ingest): false
        default: level >= needed.level
        }
    }

    /// The rung on the reading ladder.
    private var level: Int {
        switch self {
        case .viewer, .ingest: 0
        case .auditor: 1
        case .admin: 2
        }
    }
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

    /// The scope as the shared ingest path checks it (nil when unrestricted).
    var ingestScope: IngestScope? { IngestScope(regions: regions, branches: branches) }

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
