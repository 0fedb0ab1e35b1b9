/// A loan officer (`officers` table; ingestion payload kind `officer`).
public struct Officer: Hashable, Sendable {
    /// `officer_id`, the primary key.
    public var officerId: String
    /// `officer_name`.
    public var officerName: String
    /// `officer_phone`, optional.
    public var officerPhone: String?
    /// `officer_email`, optional.
    public var officerEmail: String?
    /// `region`: branch rows take the most common region of their officers.
    public var region: String
    /// `branch`: branch rows group officers by this (not by the loans' booking branch).
    public var branch: String
    /// `employment_status` (`Active`, `Inactive`, `Suspended`, ...); default `Active`.
    public var employmentStatus: String
    /// `hire_date`, optional.
    public var hireDate: CalendarDate?
    /// `termination_date`, optional.
    public var terminationDate: CalendarDate?
    /// `primary_channel`; nil means `Direct` for channel purity.
    public var primaryChannel: String?
    /// `has_float_gap` from the source system; default false.
    public var hasFloatGap: Bool

    /// Creates an officer; optional fields default as the ingestion does.
    public init(
        officerId: String, officerName: String, officerPhone: String? = nil, officerEmail: String? = nil,
        region: String, branch: String, employmentStatus: String = "Active",
        hireDate: CalendarDate? = nil, terminationDate: CalendarDate? = nil,
        primaryChannel: String? = nil, hasFloatGap: Bool = false
    ) {
        self.officerId = officerId
        self.officerName = officerName
        self.officerPhone = officerPhone
        self.officerEmail = officerEmail
        self.region = region
        self.branch = branch
        self.employmentStatus = employmentStatus
        self.hireDate = hireDate
        self.terminationDate = terminationDate
        self.primaryChannel = primaryChannel
        self.hasFloatGap = hasFloatGap
    }

    /// True when `employment_status` is exactly `Active`.
    public var isActive: Bool { employmentStatus == "Active" }

    /// The channel a loan must carry to count as "pure" (`primary_channel`, null meaning `Direct`).
    public var effectivePrimaryChannel: String { primaryChannel ?? Self.defaultPrimaryChannel }

    /// The primary channel of an officer without one (METRICS: null = Direct).
    public static let defaultPrimaryChannel = "Direct"

    /// The minimal officer the ingestion creates from a loan whose officer is unknown.
    public init(placeholderFor loan: Loan) {
        self.init(officerId: loan.officerId, officerName: loan.officerName, officerPhone: loan.officerPhone,
                  region: loan.region, branch: loan.branch)
    }
}
