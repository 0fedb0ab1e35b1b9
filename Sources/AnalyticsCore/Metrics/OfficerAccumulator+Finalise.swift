extension OfficerAccumulator {
    /// True when the officer gets a row at D: employment `Active`, or a loan that exists at D.
    public func hasRow(for officer: Officer) -> Bool {
        officer.isActive || existingLoans > 0
    }

    /// The officer's row at the window's date: ratios from the exact sums, then the scores.
    ///
    /// - Parameters:
    ///   - officer: the officer's current record (branch, region, channel, flag).
    ///   - window: the dates of D.
    ///   - par15Override: the `par15_snapshots` value for (officer, S) when a row exists; it
    ///     replaces the exposure computed from the loans.
    ///   - options: score settings.
    /// - Returns: the row with `rank` nil (see ``OfficerRanking``).
    public func finalise(
        officer: Officer, window: MetricsWindow, par15Override: Money? = nil,
        options: MetricsOptions = MetricsOptions()
    ) -> OfficerMetricsRow {
        let par15MidMonth = par15Override ?? par15AtMidMonth
        let totalYield = interestCollected + feesCollected
        let scores = OfficerScores(sums: self, hasFloatGap: officer.hasFloatGap, options: options)
        let par15 = Ratio4(overdue15Amount, over: totalPortfolio)
        return OfficerMetricsRow(
            officerId: officer.officerId,
            calculationDate: window.asOf,
            officerName: officer.officerName,
            region: officer.region,
            branch: officer.branch,
            employmentStatus: officer.employmentStatus,
            totalPortfolio: totalPortfolio,
            activeLoans: activeLoans,
            totalDisbursedCount: disbursedMonthToDateCount,
            totalDisbursedAmount: disbursedMonthToDateAmount,
            overdue15dAmount: overdue15Amount,
            overdue15dCount: overdue15Count,
            par15Ratio: par15,
            porr: par15,
            disbursedCount: fimrCohort,
            firstMissCount: fimrMissed,
            fimr: Ratio4(fimrMissed, over: fimrCohort),
            allTimeFimr: Ratio4(allTimeFimrMissed, over: allTimeFimrLoans),
            dpd1to6Balance: dpd1to6Balance,
            amountDue7d: amountDue7d,
            d06Slippage: Ratio4(dpd1to6Balance, over: amountDue7d),
            prevDpd1to6Balance: previousDpd1to6Balance,
            movedTo7to30: movedTo7to30,
            roll: Ratio4(movedTo7to30, over: previousDpd1to6Balance),
            feesCollected: feesCollected,
            feesDue: feesDue,
            frr: Ratio4(feesCollected, over: feesDue),
            interestCollected: interestCollected,
            totalYield: totalYield,
            par15MidMonth: par15MidMonth,
            ayr: Ratio4(totalYield, over: par15MidMonth),
            onTimeRate: Ratio4(installmentsOnTimeTrailing, over: installmentsDueTrailing),
            channelPurity: Ratio4(channelMatchingActiveLoans, over: activeLoans),
            waiversAmount: waiversAmount,
            totalEntries: totalEntries,
            backdatedCount: backdatedCount,
            reversalsCount: reversalsCount,
            hadFloatGap: officer.hasFloatGap,
            riskScore: scores.riskScore,
            riskBand: scores.riskBand,
            riskScoreNorm: scores.riskScoreNorm,
            dqi: scores.dqi,
            rank: nil
        )
    }
}
