import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// The refresh reads each loan's version from `loan_sources` (migration 0015) as a stream of its
/// own and records it; the changed-only refresh takes exactly the loans whose version moved since.
@Suite("Loan versions in the refresh")
struct LoanVersionRefreshTests {
    static let date = "2024-11-01"

    static func context(_ db: TestDatabase) throws -> JobContext {
        try FixtureJobsTests.context(db, date: date)
    }

    /// Loans whose recorded version differs from their current one.
    static func stale(_ db: TestDatabase) async throws -> [String] {
        try await db.pool.query("""
            SELECT a.loan_id FROM loan_accounts a LEFT JOIN loan_sources v ON v.loan_id = a.loan_id
            LEFT JOIN loan_states s ON s.loan_id = a.loan_id
            WHERE s.refreshed_source_at IS DISTINCT FROM v.source_changed_at ORDER BY 1
            """).map { try $0.decode(String.self, "loan_id") }
    }

    @Test("a repayment ingested after a full refresh: --changed-only refreshes its loan alone and records its new version")
    func repaymentMovesOneLoan() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(try Self.context(db))
            #expect(try await Self.stale(db).isEmpty)
            let loan = try await db.pool.query("SELECT loan_id FROM loan_accounts WHERE status = 'Active' ORDER BY loan_id LIMIT 1")[0]
                .decode(String.self, "loan_id")
            let input = try IngestTests.write(#"""
                {"repayment_id":"VERSION-P1","loan_id":"\#(loan)","payment_date":"2024-10-30","payment_amount":10.00,"principal_paid":10.00,"interest_paid":0,"fees_paid":0,"penalty_paid":0}
                """#)
            let summary = try await IngestCommand.ingest([(input, nil)], pool: db.pool)
            #expect(summary.counts.touchedLoans == 1)
            #expect(try await Self.stale(db) == [loan])
            let counts = try await MetricJobs.refreshLoans(try Self.context(db), changedOnly: true)
            #expect(counts.processed == 1)
            #expect(try await Self.stale(db).isEmpty)
        }
    }

    @Test("a loan whose version row was deleted by hand is still refreshed, recorded as never seen (-infinity)")
    func missingVersionRow() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            let loans = try await db.count("SELECT count(*)::int AS n FROM loan_accounts")
            let loan = try await db.pool.query("SELECT loan_id FROM loan_accounts ORDER BY loan_id LIMIT 1")[0].decode(String.self, "loan_id")
            try await db.pool.query("DELETE FROM loan_sources WHERE loan_id = $1", [loan])
            let counts = try await MetricJobs.fullRefresh(try Self.context(db))
            #expect(counts.processed == loans)
            let recorded = try await db.pool.query("SELECT refreshed_source_at::text AS v FROM loan_states WHERE loan_id = $1", [loan])
            #expect(try recorded.first?.decode(String.self, "v") == "-infinity")
        }
    }
}
