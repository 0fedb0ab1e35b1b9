/// Builds the branch rows of a date from its officer rows (METRICS 6).
public enum BranchAggregation {
    /// One row per branch that has at least one officer row, sorted by branch (bytes).
    ///
    /// `rows` must be all officer rows of one date (every partition's).
    public static func aggregate(_ rows: [OfficerMetricsRow]) -> [BranchMetricsRow] {
        var groups: [String: [OfficerMetricsRow]] = [:]
        for row in rows { groups[row.branch, default: []].append(row) }
        return ByteOrder.sorted(groups.keys).compactMap { branch in
            groups[branch].flatMap { aggregate(branch: branch, rows: $0) }
        }
    }

    /// The row of one branch from its officers' rows; nil when there are none.
    public static func aggregate(branch: String, rows: [OfficerMetricsRow]) -> BranchMetricsRow? {
        guard let first = rows.first else { return nil }
        var portfolio = Money.zero
        var overdue = Money.zero
        var totalYield = Money.zero
        var par15 = Money.zero
        var active = 0
        var officers = 0
        var cohort = 0
        var missed = 0
        var weightedDqi = 0
        var plainDqi = 0
        var regionCounts: [String: Int] = [:]
        for row in rows {
            portfolio += row.totalPortfolio
            overdue += row.overdue15dAmount
            totalYield += row.totalYield
            par15 += row.par15MidMonth
            active += row.activeLoans
            if row.employmentStatus == "Active" { officers += 1 }
            cohort += row.disbursedCount
            missed += row.firstMissCount
            weightedDqi += row.dqi * row.activeLoans
            plainDqi += row.dqi
            regionCounts[row.region, default: 0] += 1
        }
        let region = regionCounts.max { a, b in
            // "Smaller" means fewer officers, or as many but later in byte order.
            a.value != b.value ? a.value < b.value : ByteOrder.precedes(b.key, a.key)
        }?.key ?? first.region
        let dqi = active > 0
            ? Ratio4.roundedQuotient(Int128(weightedDqi), Int128(active))
            : Ratio4.roundedQuotient(Int128(plainDqi), Int128(rows.count))
        return BranchMetricsRow(
            branch: branch,
            region: region,
            calculationDate: first.calculationDate,
            portfolioTotal: portfolio,
            activeLoans: active,
            totalOfficers: officers,
            overdue15d: overdue,
            par15Ratio: Ratio4(overdue, over: portfolio),
            fimr: Ratio4(missed, over: cohort),
            ayr: Ratio4(totalYield, over: par15),
            dqi: Int(dqi),
            officerIds: ByteOrder.sorted(rows.map(\.officerId)),
            disbursedCount: cohort,
            firstMissCount: missed,
            totalYield: totalYield,
            par15MidMonth: par15
        )
    }
}
