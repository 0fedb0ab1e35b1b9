import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Glibc
@testable import MetricsWorker
import Testing

/// The built `metrics-worker sync-fineract` killed (SIGKILL) in the middle of a run, then run
/// again: it resumes and ends with exactly the rows of a fresh full sync.
@Suite("sync-fineract process")
struct FineractKillTests {
    @Test("SIGKILL after the first loan chunks committed, run again: every loan, repayment and schedule row equals a fresh full sync")
    func killedAndRerun() async throws {
        let book = FineractBook(loans: 40)
        let blocking = book.loanID(20)
        let worker = try TestEnvironment.value("TEST_WORKER_BIN")
        try await FineractSyncTests.withBook(book) { ours, tenant in
            let environment = ["DATABASE_URL": ours.configuration.url, "FINERACT_DATABASE_URL": tenant.configuration.url, "LOG_LEVEL": "error"]
            // Loan 1020 is already held (sent as its NDJSON twin), and this test holds its row: the
            // chunk that carries it waits, so the kill lands after the chunks before it committed and
            // before the ones after it (the position is pinned, not raced).
            let twin = book.ndjson(transactions: []).split(separator: "\n").filter {
                $0.hasPrefix(#"{"officer_id""#) || $0.hasPrefix(#"{"customer_id":"\#(blocking)""#) || $0.hasPrefix(#"{"loan_id":"\#(blocking)""#)
            }
            #expect(twin.count == 6)
            let seeded = try await IngestCommand.ingest([(try IngestTests.write(twin.joined(separator: "\n") + "\n"), nil)], pool: ours.pool)
            #expect(seeded.rejected == 0)
            try await ours.pool.withTransaction { tx in
                try await tx.query("SELECT loan_id FROM loan_accounts WHERE loan_id = $1 FOR UPDATE", [String(blocking)])
                let process = try BackgroundProcess.start(worker, ["sync-fineract", "--batch-size", "3"], environment: environment)
                do {
                    try await Waiting.until("a loan chunk committed and the next one waits for loan \(blocking)") {
                        let progress = try await ours.pool.query("SELECT pending_after_loan FROM fineract_sync_state")
                        let waiting = try await ours.count("""
                            SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'
                            """, [ours.name])
                        return try progress.first?.decode(Int64?.self, "pending_after_loan") != nil && waiting > 0
                    }
                } catch {
                    await process.stop()
                    throw error
                }
                process.send(SIGKILL)
                #expect(try await process.waitForExit() == 128 + SIGKILL)
                await process.stop()
            }
            let state = try await ours.pool.query("SELECT watermark::text AS w, pending_after_loan AS p FROM fineract_sync_state")[0]
            #expect(try state.decode(String?.self, "w") == nil)
            let after = try #require(try state.decode(Int64?.self, "p"))
            #expect(after >= book.loanID(0) && after < blocking)
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_accounts WHERE loan_id::bigint > $1", [blocking]) == 0)
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_accounts WHERE loan_id::bigint <= $1", [after]) == Int(after - book.loanID(0)) + 1)

            // The killed process's sessions end (the one that waited rolls back once it wakes).
            try await Waiting.until("the killed worker's sessions are gone") {
                try await ours.count("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'metrics-worker'",
                                     [ours.name]) == 0
            }
            let rerun = try await ProcessRunner.run(worker, ["sync-fineract", "--batch-size", "3"], environment: environment)
            #expect(rerun.status == 0, "\(rerun.output)")
            #expect(rerun.output.contains("sync-fineract (full, resumed)"), "\(rerun.output)")
            #expect(try await ours.count("SELECT count(*) AS n FROM fineract_sync_state WHERE watermark IS NOT NULL AND pending_after_loan IS NULL") == 1)

            try await TestDatabase.with { fresh in
                let result = try await FineractSyncTests.sync(fresh, tenant, batch: 40)
                #expect(result.loansRead == 40 && result.summary.rejected == 0)
                let expected = try await FineractSyncTests.fingerprint(fresh)
                #expect(expected.filter { $0.hasPrefix("loans:") }.count == 40)
                #expect(try await FineractSyncTests.fingerprint(ours) == expected)
            }
        }
    }
}
