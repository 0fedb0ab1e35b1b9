import AnalyticsCore

/// A calculation date served and when its metrics were completed (RFC 3339 UTC).
struct Freshness: Sendable, Equatable {
    var date: CalendarDate
    var calculatedAt: String?
}

/// A sort order over a whitelisted numeric field.
struct SortOrder: Sendable, Hashable {
    var field: FieldSpec
    var descending: Bool
}

/// Rows rendered as JSON object fragments: `{"a":1,"b":2` without the closing brace, so a caller
/// can append read-time fields (the audit fields) before closing it.
struct RenderedRow: Sendable, Equatable {
    /// The row's officer (officer rows) or loan id (drilldowns).
    var id: String
    /// The object's text without its closing `}`.
    var fragment: [UInt8]
}

/// A page of rendered rows and the number of rows matching the filters.
struct RenderedPage: Sendable, Equatable {
    var rows: [RenderedRow]
    var total: Int
}

/// The filters of an officer list read.
struct OfficerListQuery: Sendable {
    var dates: [CalendarDate]
    var region: String?
    var branch: String?
    var officerID: String?
    var riskBand: String?
    var scope: AccessScope
    var sort: SortOrder?
    var fields: [FieldSpec]
    var page: Int
    var perPage: Int
    /// The cache version (of the `book` tag) whose officer snapshot the page is cut from; nil when
    /// none is known (no Redis), then from a snapshot read after the query was made.
    var snapshotVersion: KeyVersion? = nil
}

/// An officer's detail: the header fields and the current and previous metric rows as fragments.
struct OfficerDetail: Sendable, Equatable {
    var header: [UInt8]
    var currentDate: CalendarDate
    var current: [UInt8]
    var currentRiskScore: Int
    var previous: [UInt8]?
    var previousRiskScore: Int?
}

/// The filters of a branch read.
struct BranchQuery: Sendable {
    var date: CalendarDate
    var region: String?
    var branch: String?
    var scope: AccessScope
    var sort: SortOrder?
    var fields: [FieldSpec]
}

/// Which drilldown.
enum DrilldownKind: String, Sendable {
    case fimr
    case earlyIndicators = "early_indicators"
}

/// The filters of a drilldown read; either a page (`offset`) or a keyset position (`after`).
struct DrilldownQuery: Sendable {
    var kind: DrilldownKind
    var region: String?
    var branch: String?
    var officerID: String?
    var disbursedFrom: CalendarDate?
    var disbursedTo: CalendarDate?
    var fimrTagged: Bool?
    var earlyIndicatorTagged: Bool?
    var scope: AccessScope
    var fields: [FieldSpec]
    var maskPhones: Bool
    var limit: Int
    var offset: Int?
    var afterLoanID: String?
}

/// Read access to the metric tables (the read replica in production). Implementations must apply
/// `scope` to every row they return.
protocol MetricsRepository: Sendable {
    /// The newest calculation date whose officer metrics are complete, or nil when there is none.
    func latestCompleteDate() async throws -> Freshness?
    /// The freshness of `date` when its officer metrics are complete, else nil.
    func completeDate(_ date: CalendarDate) async throws -> Freshness?
    /// The complete dates in `from...to`, newest first.
    func completeDates(from: CalendarDate, to: CalendarDate) async throws -> [Freshness]
    /// A page of officer rows (filtered, sorted and paged as `OfficerSnapshot.page` says).
    func officers(_ query: OfficerListQuery) async throws -> RenderedPage
    /// One officer's detail at `date`, or nil when the officer has no row then (or is out of scope).
    func officerDetail(id: String, date: CalendarDate, scope: AccessScope, maskPhones: Bool) async throws -> OfficerDetail?
    /// Branch rows at a date.
    func branches(_ query: BranchQuery) async throws -> RenderedPage
    /// The date the loan states (the `loans` view's computed columns) are as of and when they were
    /// written, or nil before the first refresh.
    func loanStatesFreshness() async throws -> Freshness?
    /// A drilldown page; `total` is only counted for offset pages (else -1).
    func drilldown(_ query: DrilldownQuery) async throws -> RenderedPage
    /// The filter options (`data` of `/filters/options`), rendered.
    func filterOptions(scope: AccessScope) async throws -> [UInt8]
    /// When the newest complete calculation finished, for the freshness gauge.
    func lastCompletedCalculation() async throws -> Double?
    /// Runs `body`, whose reads make one answer (a served date and its rows), so that they all see
    /// the data of one server (the replica, or the primary once one of them needed it).
    func consistent<R: Sendable>(_ body: () async throws -> R) async throws -> R
}

extension MetricsRepository {
    /// One server only (no replica): the reads are consistent already.
    func consistent<R: Sendable>(_ body: () async throws -> R) async throws -> R { try await body() }
}
