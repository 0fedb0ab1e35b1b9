import AnalyticsCore
import AnalyticsStore

/// Reads and writes `officer_metrics_daily`.
enum OfficerMetricsStore {
    /// The stored columns, in COPY order (everything but `metric_id` and `calculated_at`).
    static let columns = [
        "officer_id", "calculation_date", "total_portfolio", "active_loans", "total_disbursed_count",
        "total_disbursed_amount", "overdue_15d_amount", "overdue_15d_count", "par15_ratio", "porr", "disbursed_count",
        "first_miss_count", "fimr", "all_time_fimr", "dpd_1to6_balance", "amount_due_7d", "d06_slippage",
        "prev_dpd_1to6_balance", "moved_to_7to30", "roll", "fees_collected", "fees_due", "frr", "interest_collected",
        "total_yield", "par15_mid_month", "ayr", "on_time_rate", "channel_purity", "waivers_amount", "total_entries",
        "backdated_count", "reversals_count", "had_float_gap", "risk_score", "risk_band", "risk_score_norm", "dqi", "rank",
    ]

    static func row(_ r: OfficerMetricsRow) -> PostgresBindings {
        [r.officerId, r.calculationDate, r.totalPortfolio, r.activeLoans, r.totalDisbursedCount, r.totalDisbursedAmount,
         r.overdue15dAmount, r.overdue15dCount, r.par15Ratio, r.porr, r.disbursedCount, r.firstMissCount, r.fimr,
         r.allTimeFimr, r.dpd1to6Balance, r.amountDue7d, r.d06Slippage, r.prevDpd1to6Balance, r.movedTo7to30, r.roll,
         r.feesCollected, r.feesDue, r.frr, r.interestCollected, r.totalYield, r.par15MidMonth, r.ayr, r.onTimeRate,
         r.channelPurity, r.waiversAmount, r.totalEntries, r.backdatedCount, r.reversalsCount, r.hadFloatGap,
         r.riskScore, r.riskBand.rawValue, r.riskScoreNorm, r.dqi, r.rank]
    }

    /// Replaces the rows of `date` for `officers` (the daemon's touched officers, or nil for all) with
    /// `rows`, and completes `run` (when given), in one transaction.
    static func write(_ rows: [OfficerMetricsRow], date: CalendarDate, officers: [String]?, run: JobRunner.Run?,
                      on connection: PostgresConnection) async throws -> JobCounts {
        try await writeChanges(rows, date: date, officers: officers, run: run, on: connection).counts
    }

    /// `write`, returning also the officers whose row of `date` was inserted, changed or removed
    /// (an identical row is not written: its `calculated_at` stays that of the run that computed it).
    static func writeChanges(_ rows: [OfficerMetricsRow], date: CalendarDate, officers: [String]?, run: JobRunner.Run?,
                             on connection: PostgresConnection) async throws -> (counts: JobCounts, changed: [String]) {
        try await connection.execute("""
            CREATE TEMP TABLE IF NOT EXISTS stage_officer_metrics (LIKE officer_metrics_daily INCLUDING DEFAULTS) ON COMMIT DELETE ROWS
            """)
        return try await connection.withTransaction { tx in
            let list = columns.joined(separator: ", ")
            try await tx.copyIn("COPY stage_officer_metrics (\(list)) FROM STDIN") { writer in
                for r in rows { try await writer.write(row: row(r)) }
            }
            let ids = rows.map(\.officerId)
            // Rows of this scope that no longer qualify (a re-run after data changed) go.
            let removed: PostgresRows
            if let officers {
                removed = try await tx.query("""
                    DELETE FROM officer_metrics_daily WHERE calculation_date = $1 AND officer_id = ANY($2) AND officer_id <> ALL($3)
                    RETURNING officer_id
                    """, [date, officers, ids])
            } else {
                removed = try await tx.query("""
                    DELETE FROM officer_metrics_daily WHERE calculation_date = $1 AND officer_id <> ALL($2) RETURNING officer_id
                    """, [date, ids])
            }
            let updatable = columns.dropFirst(2)
            let assignments = updatable.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
            let current = updatable.map { "t.\($0)" }.joined(separator: ", ")
            let incoming = updatable.map { "EXCLUDED.\($0)" }.joined(separator: ", ")
            let written = try await tx.query("""
                INSERT INTO officer_metrics_daily AS t (\(list)) SELECT \(list) FROM stage_officer_metrics
                ON CONFLICT (officer_id, calculation_date) DO UPDATE SET \(assignments), calculated_at = now()
                WHERE (\(current)) IS DISTINCT FROM (\(incoming))
                RETURNING t.officer_id
                """)
            let changed = try (Array(removed) + Array(written)).map { try $0.decode(String.self, "officer_id") }
            let counts = JobCounts(processed: rows.count, updated: written.count, failed: 0)
            try await run?.complete(counts, in: tx)
            return (counts, changed)
        }
    }

    /// True when every partition of `date`'s officer metrics has completed (the API serves it).
    static func isComplete(date: CalendarDate, on connection: PostgresConnection) async throws -> Bool {
        try await !connection.query("SELECT 1 FROM officer_metrics_complete_dates WHERE calculation_date = $1", [date]).isEmpty
    }

    /// The ranking inputs of the stored rows of `date`, but for the officers in `excluded`.
    static func rankingEntries(date: CalendarDate, excluding excluded: Set<String>,
                               on connection: PostgresConnection) async throws -> [OfficerRanking.Entry] {
        try await connection.query("""
            SELECT officer_id, risk_score, dqi, active_loans FROM officer_metrics_daily WHERE calculation_date = $1
            """, [date]).compactMap {
            let id = try $0.decode(String.self, "officer_id")
            guard !excluded.contains(id) else { return nil }
            return OfficerRanking.Entry(officerId: id, riskScore: try $0.decode(Int.self, "risk_score"),
                                        dqi: try $0.decode(Int.self, "dqi"), activeLoans: try $0.decode(Int.self, "active_loans"))
        }
    }

    /// Writes `ranks` (every ranked officer of `date`, as `OfficerRanking.ranks` gives them over
    /// all rows of the date as stored now): rows whose rank differs are updated, rows it does not
    /// name lose their rank. Returns the officers whose rank changed.
    @discardableResult
    static func rerank(date: CalendarDate, ranks: [String: Int], on connection: PostgresConnection) async throws -> [String] {
        let ranked = Array(ranks.keys)
        return try await connection.withTransaction { tx in
            let unranked = try await tx.query("""
                UPDATE officer_metrics_daily SET rank = NULL
                WHERE calculation_date = $1 AND rank IS NOT NULL AND officer_id <> ALL($2)
                RETURNING officer_id
                """, [date, ranked])
            let reranked = try await tx.query("""
                UPDATE officer_metrics_daily o SET rank = r.rank
                FROM unnest($2::text[], $3::int[]) AS r(officer_id, rank)
                WHERE o.calculation_date = $1 AND o.officer_id = r.officer_id AND o.rank IS DISTINCT FROM r.rank
                RETURNING o.officer_id
                """, [date, ranked, ranked.map { ranks[$0] ?? 0 }])
            return try (Array(unranked) + Array(reranked)).map { try $0.decode(String.self, "officer_id") }
        }
    }

    private static func band(_ row: PostgresRow) throws -> RiskBand {
        let text = try row.decode(String.self, "risk_band")
        guard let band = RiskBand(rawValue: text) else {
            throw PostgresError(code: .decoding, message: "column 'risk_band' has unknown band '\(text)'")
        }
        return band
    }

    /// The stored rows of `date` with each officer's current branch, region, name and status.
    /// With `branches`, only the rows of officers now in one of them.
    static func load(date: CalendarDate, branches: [String]? = nil, on connection: PostgresConnection) async throws -> [OfficerMetricsRow] {
        let rows = try await connection.query("""
            SELECT m.*, o.officer_name, o.region, o.branch, o.employment_status
            FROM officer_metrics_daily m JOIN officers o ON o.officer_id = m.officer_id
            WHERE m.calculation_date = $1 AND ($2::text[] IS NULL OR o.branch = ANY($2::text[])) ORDER BY m.officer_id
            """, [date, branches])
        return try rows.map { r in
            OfficerMetricsRow(
                officerId: try r.decode(String.self, "officer_id"), calculationDate: try r.decode(CalendarDate.self, "calculation_date"),
                officerName: try r.decode(String.self, "officer_name"), region: try r.decode(String.self, "region"),
                branch: try r.decode(String.self, "branch"), employmentStatus: try r.decode(String.self, "employment_status"),
                totalPortfolio: try r.decode(Money.self, "total_portfolio"), activeLoans: try r.decode(Int.self, "active_loans"),
                totalDisbursedCount: try r.decode(Int.self, "total_disbursed_count"),
                totalDisbursedAmount: try r.decode(Money.self, "total_disbursed_amount"),
                overdue15dAmount: try r.decode(Money.self, "overdue_15d_amount"), overdue15dCount: try r.decode(Int.self, "overdue_15d_count"),
                par15Ratio: try r.decode(Ratio4?.self, "par15_ratio"), porr: try r.decode(Ratio4?.self, "porr"),
                disbursedCount: try r.decode(Int.self, "disbursed_count"), firstMissCount: try r.decode(Int.self, "first_miss_count"),
                fimr: try r.decode(Ratio4?.self, "fimr"), allTimeFimr: try r.decode(Ratio4?.self, "all_time_fimr"),
                dpd1to6Balance: try r.decode(Money.self, "dpd_1to6_balance"), amountDue7d: try r.decode(Money.self, "amount_due_7d"),
                d06Slippage: try r.decode(Ratio4?.self, "d06_slippage"), prevDpd1to6Balance: try r.decode(Money.self, "prev_dpd_1to6_balance"),
                movedTo7to30: try r.decode(Money.self, "moved_to_7to30"), roll: try r.decode(Ratio4?.self, "roll"),
                feesCollected: try r.decode(Money.self, "fees_collected"), feesDue: try r.decode(Money.self, "fees_due"),
                frr: try r.decode(Ratio4?.self, "frr"), interestCollected: try r.decode(Money.self, "interest_collected"),
                totalYield: try r.decode(Money.self, "total_yield"), par15MidMonth: try r.decode(Money.self, "par15_mid_month"),
                ayr: try r.decode(Ratio4?.self, "ayr"), onTimeRate: try r.decode(Ratio4?.self, "on_time_rate"),
                channelPurity: try r.decode(Ratio4?.self, "channel_purity"), waiversAmount: try r.decode(Money.self, "waivers_amount"),
                totalEntries: try r.decode(Int.self, "total_entries"), backdatedCount: try r.decode(Int.self, "backdated_count"),
                reversalsCount: try r.decode(Int.self, "reversals_count"), hadFloatGap: try r.decode(Bool.self, "had_float_gap"),
                riskScore: try r.decode(Int.self, "risk_score"),
                riskBand: try band(r),
                riskScoreNorm: try r.decode(Ratio4.self, "risk_score_norm"), dqi: try r.decode(Int.self, "dqi"),
                rank: try r.decode(Int?.self, "rank"))
        }
    }
}
