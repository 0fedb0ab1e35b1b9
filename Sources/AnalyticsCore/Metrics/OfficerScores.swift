/// The officer risk score and DQI (METRICS 5), computed exactly from the unrounded ratios.
public struct OfficerScores: Hashable, Sendable {
    /// `risk_score`, 0...100.
    public var riskScore: Int
    /// `dqi`, 0...100.
    public var dqi: Int

    /// `risk_band`.
    public var riskBand: RiskBand { RiskBand(riskScore: riskScore) }

    /// `risk_score_norm` = risk_score / 100.
    public var riskScoreNorm: Ratio4 { Ratio4(scaled: Int64(riskScore) * 100) }

    /// Creates scores.
    public init(riskScore: Int, dqi: Int) {
        self.riskScore = riskScore
        self.dqi = dqi
    }

    /// Scores from an officer's sums. Null ratios count as "no evidence, no penalty" (FIMR, roll,
    /// PORR as 0; FRR, channel purity, on-time rate as 1).
    public init(
        sums a: OfficerAccumulator, hasFloatGap: Bool, options: MetricsOptions = MetricsOptions()
    ) {
        let porr = Self.fraction(a.overdue15Amount.minorUnits, a.totalPortfolio.minorUnits, orElse: .zero)
        let fimr = Self.fraction(Int64(a.fimrMissed), Int64(a.fimrCohort), orElse: .zero)
        let roll = Self.fraction(a.movedTo7to30.minorUnits, a.previousDpd1to6Balance.minorUnits, orElse: .zero)
        let waivers = Self.fraction(a.waiversAmount.minorUnits, a.amountDue7d.minorUnits, orElse: .zero)
        let backdated = Self.fraction(Int64(a.backdatedCount), Int64(a.totalEntries), orElse: .zero)
        let reversals = Self.fraction(Int64(a.reversalsCount), Int64(a.totalEntries), orElse: .zero)
        let frr = Self.fraction(a.feesCollected.minorUnits, a.feesDue.minorUnits, orElse: .one)
        let purity = Self.fraction(Int64(a.channelMatchingActiveLoans), Int64(a.activeLoans), orElse: .one)
        let onTime = Self.fraction(Int64(a.installmentsOnTimeTrailing), Int64(a.installmentsDueTrailing), orElse: .one)

        var penalty = ExactFraction(20) * porr.clampedToOne
        penalty = penalty + ExactFraction(15) * fimr.clampedToOne
        penalty = penalty + ExactFraction(10) * roll.clampedToOne
        penalty = penalty + ExactFraction(10) * waivers.clampedToOne
        penalty = penalty + ExactFraction(10) * backdated.clampedToOne
        penalty = penalty + ExactFraction(10) * reversals.clampedToOne
        penalty = penalty + ExactFraction(10) * frr.complement
        penalty = penalty + ExactFraction(5) * purity.complement
        if hasFloatGap { penalty = penalty + ExactFraction(10) }
        // max(0, round_half_up(100 - penalty)): a negative score rounds to <= 0 anyway.
        let score = penalty.subtracted(from: ExactFraction(100))
        let riskScore = score.roundedHalfUp(limit: 100)

        // 100 * (0.4 * risk_score / 100 + 0.35 * c(on_time) + 0.25 * c(1 - fimr)) * CP
        let inner = ExactFraction(Int64(4 * riskScore), 10)
            + ExactFraction(35) * onTime.clampedToOne
            + ExactFraction(25) * fimr.complement
        let factor = options.dqiUsesChannelPurity ? purity.clampedToOne : .one
        self.init(riskScore: riskScore, dqi: (inner * factor).roundedHalfUp(limit: 100))
    }

    /// `n / d` as an exact fraction (negative numerators count as 0), or `fallback` when `d` is 0.
    private static func fraction(_ n: Int64, _ d: Int64, orElse fallback: ExactFraction) -> ExactFraction {
        guard d > 0 else { return fallback }
        return ExactFraction(max(0, n), d)
    }
}
