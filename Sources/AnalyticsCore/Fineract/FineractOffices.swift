/// The offices of a tenant and the region and branch each one stands for (FINERACT.md "Offices").
///
/// The branch is the office's own name; the region is the name of its ancestor at depth
/// `regionLevel` (the office whose path is the first `regionLevel` ids of its own); an office at or
/// above that depth is its own region.
public struct FineractOffices: Sendable {
    /// Region and branch of one office.
    public struct Placement: Sendable, Equatable {
        /// The region's name.
        public var region: String
        /// The branch's name.
        public var branch: String

        /// Creates a placement.
        public init(region: String, branch: String) {
            self.region = region
            self.branch = branch
        }
    }

    private let byID: [Int64: FineractOffice]
    private let byPath: [[Int64]: FineractOffice]
    /// `FINERACT_REGION_LEVEL` (>= 0).
    public let regionLevel: Int

    /// The offices read from `m_office`, placed at `regionLevel`.
    public init(_ offices: [FineractOffice], regionLevel: Int) {
        var byID: [Int64: FineractOffice] = [:]
        var byPath: [[Int64]: FineractOffice] = [:]
        for office in offices {
            byID[office.id] = office
            byPath[office.path] = office
        }
        self.byID = byID
        self.byPath = byPath
        self.regionLevel = regionLevel
    }

    /// The office with `id`, or nil.
    public func office(_ id: Int64) -> FineractOffice? { byID[id] }

    /// Region and branch of office `id`, or nil when there is no such office.
    public func placement(of id: Int64) -> Placement? {
        guard let office = byID[id] else { return nil }
        let path = office.path
        guard path.count > regionLevel, let ancestor = byPath[Array(path.prefix(regionLevel))] else {
            return Placement(region: office.name, branch: office.name)
        }
        return Placement(region: ancestor.name, branch: office.name)
    }
}
