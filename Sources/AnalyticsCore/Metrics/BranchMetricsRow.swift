/// One `branch_metrics_daily` row (METRICS 6): the officer rows of D grouped by the officers'
/// current branch.
public struct BranchMetricsRow: Hashable, Sendable {
    /// `branch`.
    public var branch: String
    /// `region`: the most common region of the branch's officers (ties: first by bytes).
    public var region: String
    /// `calculation_date` = D.
    public var calculationDate: CalendarDate
    /// `portfolio_total`: sum of the officers' `total_portfolio`.
    public var portfolioTotal: Money
    /// `active_loans`: sum of the officers' `active_loans`.
    public var activeLoans: Int
    /// `total_officers`: officers of the branch with `employment_status = 'Active'`.
    public var totalOfficers: Int
    /// `overdue_15d`: sum of the officers' `overdue_15d_amount`.
    public var overdue15d: Money
    /// `par15_ratio` = overdue_15d / portfolio_total.
    public var par15Ratio: Ratio4?
    /// `fimr` = sum first_miss_count / sum disbursed_count.
    public var fimr: Ratio4?
    /// `ayr` = sum total_yield / sum par15_mid_month.
    public var ayr: Ratio4?
    /// `dqi`: officers' DQI weighted by active loans (plain mean when all weights are 0), rounded
    /// half up.
    public var dqi: Int
    /// The officers aggregated, by bytes.
    public var officerIds: [String]
    /// Sum of the officers' `disbursed_count` (FIMR denominator).
    public var disbursedCount: Int
    /// Sum of the officers' `first_miss_count` (FIMR numerator).
    public var firstMissCount: Int
    /// Sum of the officers' `total_yield` (AYR numerator).
    public var totalYield: Money
    /// Sum of the officers' `par15_mid_month` (AYR denominator).
    public var par15MidMonth: Money
}
