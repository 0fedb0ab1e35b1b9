/// One `m_office` row: the sync reads them whole every run (a tenant has a few hundred).
public struct FineractOffice: Sendable, Equatable {
    /// `m_office.id`.
    public var id: Int64
    /// `m_office.name` (the branch).
    public var name: String
    /// `m_office.hierarchy`: `.` for the head office, `.4.9.` below it (nil is read as `.`).
    public var hierarchy: String?

    /// Creates an office.
    public init(id: Int64, name: String, hierarchy: String?) {
        self.id = id
        self.name = name
        self.hierarchy = hierarchy
    }

    /// The ids of the path below the head office, in order (`.4.9.` -> [4, 9]; the head office: []).
    public var path: [Int64] {
        (hierarchy ?? ".").split(separator: ".").compactMap { Int64($0) }
    }
}
