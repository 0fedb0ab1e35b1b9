/// Ranks the officer rows of one date (METRICS 4 `rank`).
public enum OfficerRanking {
    /// Sets `rank` 1...k on the rows with `active_loans > 0`, ordered by `risk_score` desc, then
    /// `dqi` desc, then `officer_id` by bytes; sets nil on the others. Row order is unchanged.
    public static func assignRanks(_ rows: inout [OfficerMetricsRow]) {
        let ranks = ranks(of: rows.map { Entry(officerId: $0.officerId, riskScore: $0.riskScore, dqi: $0.dqi, activeLoans: $0.activeLoans) })
        for i in rows.indices { rows[i].rank = ranks[rows[i].officerId] }
    }

    /// What ranking needs of one officer row.
    public struct Entry: Hashable, Sendable {
        public var officerId: String
        public var riskScore: Int
        public var dqi: Int
        public var activeLoans: Int

        /// Creates an entry.
        public init(officerId: String, riskScore: Int, dqi: Int, activeLoans: Int) {
            self.officerId = officerId
            self.riskScore = riskScore
            self.dqi = dqi
            self.activeLoans = activeLoans
        }
    }

    /// The rank of every ranked officer (those with `active_loans > 0`) among all the entries of a
    /// date; officers absent from the result have no rank. Used to rank a date globally when only
    /// some of its officers' rows were computed again (the daemon's incremental updates).
    public static func ranks(of entries: [Entry]) -> [String: Int] {
        let ranked = entries
            .filter { $0.activeLoans > 0 }
            .sorted { x, y in
                if x.riskScore != y.riskScore { return x.riskScore > y.riskScore }
                if x.dqi != y.dqi { return x.dqi > y.dqi }
                return ByteOrder.precedes(x.officerId, y.officerId)
            }
        var result: [String: Int] = [:]
        for (position, entry) in ranked.enumerated() { result[entry.officerId] = position + 1 }
        return result
    }
}
