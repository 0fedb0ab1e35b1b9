/// One `officer_metrics_daily` row: every column of METRICS 4 for one officer at one date.
///
/// Ratios are ``Ratio4`` rounded to 4 places, nil where the denominator is zero (SQL `NULL`).
/// Money is never negative. `rank` is nil until ``OfficerRanking/assignRanks(_:)`` runs over all
/// rows of the date, and stays nil for officers without Active loans.
public struct OfficerMetricsRow: Hashable, Sendable {
    /// `officer_id`.
    public var officerId: String
    /// `calculation_date` = D.
    public var calculationDate: CalendarDate
    /// `officer_name` (current).
    public var officerName: String
    /// `region` of the officer (current).
    public var region: String
    /// `branch` of the officer (current): branch rows group by it.
    public var branch: String
    /// `employment_status` (current).
    public var employmentStatus: String
    /// `total_portfolio`.
    public var totalPortfolio: Money
    /// `active_loans`.
    public var activeLoans: Int
    /// `total_disbursed_count` (MTD, existing loans of every status).
    public var totalDisbursedCount: Int
    /// `total_disbursed_amount`.
    public var totalDisbursedAmount: Money
    /// `overdue_15d_amount`.
    public var overdue15dAmount: Money
    /// `overdue_15d_count`.
    public var overdue15dCount: Int
    /// `par15_ratio` = overdue_15d_amount / total_portfolio.
    public var par15Ratio: Ratio4?
    /// `porr` (same value as `par15_ratio`).
    public var porr: Ratio4?
    /// `disbursed_count`: FIMR cohort size.
    public var disbursedCount: Int
    /// `first_miss_count`.
    public var firstMissCount: Int
    /// `fimr`.
    public var fimr: Ratio4?
    /// `all_time_fimr`.
    public var allTimeFimr: Ratio4?
    /// `dpd_1to6_balance`.
    public var dpd1to6Balance: Money
    /// `amount_due_7d`.
    public var amountDue7d: Money
    /// `d06_slippage`.
    public var d06Slippage: Ratio4?
    /// `prev_dpd_1to6_balance`.
    public var prevDpd1to6Balance: Money
    /// `moved_to_7to30`.
    public var movedTo7to30: Money
    /// `roll`.
    public var roll: Ratio4?
    /// `fees_collected`.
    public var feesCollected: Money
    /// `fees_due`.
    public var feesDue: Money
    /// `frr`.
    public var frr: Ratio4?
    /// `interest_collected`.
    public var interestCollected: Money
    /// `total_yield` = interest + fees collected.
    public var totalYield: Money
    /// `par15_mid_month` (from a `par15_snapshots` row when one was supplied).
    public var par15MidMonth: Money
    /// `ayr` = total_yield / par15_mid_month.
    public var ayr: Ratio4?
    /// `on_time_rate`.
    public var onTimeRate: Ratio4?
    /// `channel_purity`.
    public var channelPurity: Ratio4?
    /// `waivers_amount`.
    public var waiversAmount: Money
    /// `total_entries`.
    public var totalEntries: Int
    /// `backdated_count`.
    public var backdatedCount: Int
    /// `reversals_count`.
    public var reversalsCount: Int
    /// `had_float_gap`.
    public var hadFloatGap: Bool
    /// `risk_score`, 0...100.
    public var riskScore: Int
    /// `risk_band`.
    public var riskBand: RiskBand
    /// `risk_score_norm` = risk_score / 100.
    public var riskScoreNorm: Ratio4
    /// `dqi`, 0...100.
    public var dqi: Int
    /// `rank`: 1-based among officers with Active loans; nil otherwise or before ranking.
    public var rank: Int?

    /// Creates a row from all of its columns, e.g. when reading back stored rows (branch
    /// aggregation, ranking, trend). Rows of a calculation come from
    /// ``OfficerAccumulator/finalise(officer:window:par15Override:options:)``.
    public init(
        officerId: String,
        calculationDate: CalendarDate,
        officerName: String,
        region: String,
        branch: String,
        employmentStatus: String,
        totalPortfolio: Money,
        activeLoans: Int,
        totalDisbursedCount: Int,
        totalDisbursedAmount: Money,
        overdue15dAmount: Money,
        overdue15dCount: Int,
        par15Ratio: Ratio4?,
        porr: Ratio4?,
        disbursedCount: Int,
        firstMissCount: Int,
        fimr: Ratio4?,
        allTimeFimr: Ratio4?,
        dpd1to6Balance: Money,
        amountDue7d: Money,
        d06Slippage: Ratio4?,
        prevDpd1to6Balance: Money,
        movedTo7to30: Money,
        roll: Ratio4?,
        feesCollected: Money,
        feesDue: Money,
        frr: Ratio4?,
        interestCollected: Money,
        totalYield: Money,
        par15MidMonth: Money,
        ayr: Ratio4?,
        onTimeRate: Ratio4?,
        channelPurity: Ratio4?,
        waiversAmount: Money,
        totalEntries: Int,
        backdatedCount: Int,
        reversalsCount: Int,
        hadFloatGap: Bool,
        riskScore: Int,
        riskBand: RiskBand,
        riskScoreNorm: Ratio4,
        dqi: Int,
        rank: Int?
    ) {
        self.officerId = officerId
        self.calculationDate = calculationDate
        self.officerName = officerName
        self.region = region
        self.branch = branch
        self.employmentStatus = employmentStatus
        self.totalPortfolio = totalPortfolio
        self.activeLoans = activeLoans
        self.totalDisbursedCount = totalDisbursedCount
        self.totalDisbursedAmount = totalDisbursedAmount
        self.overdue15dAmount = overdue15dAmount
        self.overdue15dCount = overdue15dCount
        self.par15Ratio = par15Ratio
        self.porr = porr
        self.disbursedCount = disbursedCount
        self.firstMissCount = firstMissCount
        self.fimr = fimr
        self.allTimeFimr = allTimeFimr
        self.dpd1to6Balance = dpd1to6Balance
        self.amountDue7d = amountDue7d
        self.d06Slippage = d06Slippage
        self.prevDpd1to6Balance = prevDpd1to6Balance
        self.movedTo7to30 = movedTo7to30
        self.roll = roll
        self.feesCollected = feesCollected
        self.feesDue = feesDue
        self.frr = frr
        self.interestCollected = interestCollected
        self.totalYield = totalYield
        self.par15MidMonth = par15MidMonth
        self.ayr = ayr
        self.onTimeRate = onTimeRate
        self.channelPurity = channelPurity
        self.waiversAmount = waiversAmount
        self.totalEntries = totalEntries
        self.backdatedCount = backdatedCount
        self.reversalsCount = reversalsCount
        self.hadFloatGap = hadFloatGap
        self.riskScore = riskScore
        self.riskBand = riskBand
        self.riskScoreNorm = riskScoreNorm
        self.dqi = dqi
        self.rank = rank
    }
}
