import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// `archive-old-data` deletes expired idempotency keys (their stored responses hold customer names
/// and phone numbers) and keeps the live ones.
@Suite("Job rules: archive-old-data sweeps expired idempotency keys")
struct IdempotencySweepTests {
    @Test("expired api_idempotency_keys rows are deleted, live ones kept, nothing archived")
    func sweep() async throws {
        let db = try await TestDatabase.create(poolSize: 6)
        do {
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            for (key, expiry) in [("expired-1", "-1 hour"), ("expired-2", "-30 days"), ("live-1", "23 hours")] {
                try await db.pool.query("""
                    INSERT INTO api_idempotency_keys (actor, idempotency_key, officer_id, request_hash, status_code, response_body, expires_at)
                    VALUES ('sweeper', $1, 'OFF0001', 'h', 200, '{"customer_phone":"+234-803-123-4567"}', now() + $2::interval)
                    """, [key, expiry])
            }
            let run = try await JobRulesTests.worker(["archive-old-data", "--as-of", "2024-11-01"], db)
            #expect(run.status == 0, "\(run.output)")
            let left = try await db.pool.query("SELECT idempotency_key FROM api_idempotency_keys ORDER BY idempotency_key")
                .map { try $0.decode(String.self, "idempotency_key") }
            #expect(left == ["live-1"])
            await db.drop()
        } catch {
            await db.drop()
            throw error
        }
    }
}
