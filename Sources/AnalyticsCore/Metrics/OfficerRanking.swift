/// Ranks the officer rows of one date (METRICS 4 `rank`).
public enum OfficerRanking {
    /// Sets `rank` 1...k on the rows with `active_loans > 0`, ordered by `risk_score` desc, then
    /// `dqi` desc, then `officer_id` by bytes; sets nil on the others. Row order is unchanged.
    public static func assignRanks(_ rows: inout [OfficerMetricsRow]) {
        let ranked = rows.indices
            .filter { rows[$0].activeLoans > 0 }
            .sorted { a, b in
                let x = rows[a]
                let y = rows[b]
                if x.riskScore != y.riskScore { return x.riskScore > y.riskScore }
                if x.dqi != y.dqi { return x.dqi > y.dqi }
                return ByteOrder.precedes(x.officerId, y.officerId)
            }
        for i in rows.indices { rows[i].rank = nil }
        for (position, index) in ranked.enumerated() { rows[index].rank = position + 1 }
    }
}
