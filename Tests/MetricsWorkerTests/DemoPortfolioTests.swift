import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// The demo portfolio holds the whole range of risk, so every filter and drilldown has something to
/// show (issue 13): all four risk bands, first-payment misses and early indicators, a branch in trouble.
@Suite("Demo portfolio: the whole range of risk")
struct DemoPortfolioTests {
    /// Mid-month and the first of a month (little month-to-date activity: the rogues must still show).
    @Test("seed-demo at dev.sh's shape scaled down, then full-refresh: every band, FIMR and early-indicator loans, one branch clearly worse",
          arguments: ["2024-11-18", "2024-12-01"])
    func wholeRange(asOf: String) async throws {
        let date = try #require(CalendarDate(iso: asOf))
        try await TestDatabase.with(poolSize: 6) { db in
            let summary = try await SeedDemoCommand.seed(DemoPortfolio(officers: 60, loans: 6_000, seed: 42, asOf: date), pool: db.pool)
            #expect(summary.rejected == 0)
            _ = try await MetricJobs.fullRefresh(try FixtureJobsTests.context(db, date: asOf))

            var bands: [String: Int] = [:]
            for row in try await db.pool.query("""
                SELECT risk_band, count(*)::int AS n FROM officer_metrics_daily WHERE calculation_date = $1::date GROUP BY risk_band
                """, [asOf]) {
                bands[try row.decode(String.self, "risk_band")] = try row.decode(Int.self, "n")
            }
            for band in ["Green", "Watch", "Amber", "Red"] {
                #expect((bands[band] ?? 0) > 0, "no \(band) officer: \(bands)")
            }

            let tagged = try await db.pool.query("""
                SELECT count(*) FILTER (WHERE fimr_tagged)::int AS fimr, count(*) FILTER (WHERE early_indicator_tagged)::int AS early FROM loans
                """)[0]
            #expect(try tagged.decode(Int.self, "fimr") > 0)
            #expect(try tagged.decode(Int.self, "early") > 0)

            let branches = try await db.pool.query("""
                SELECT o.branch, avg(m.risk_score)::float8 AS score FROM officer_metrics_daily m
                JOIN officers o ON o.officer_id = m.officer_id WHERE m.calculation_date = $1::date GROUP BY o.branch ORDER BY score, o.branch
                """, [asOf]).map { (try $0.decode(String.self, "branch"), try $0.decode(Double.self, "score")) }
            try #require(branches.count == 6)
            let median = (branches[2].1 + branches[3].1) / 2
            // The troubled branch (the middle one, Branch 004) is the worst, by a clear margin: its
            // officers average 8 points or more below the median branch's (about 10 at this size).
            #expect(branches[0].0 == "Branch 004", "\(branches)")
            #expect(branches[0].1 <= median - 8, "\(branches)")
        }
    }
}
