@testable import AnalyticsStore
import AnalyticsTestSupport
import Testing

@Suite("PostgreSQL pool: a connection more only when free")
struct PostgresPoolSpareTests {
    @Test("acquireIfFree leases only beyond the connections it must leave free, never while someone waits, and never waits itself")
    func spareOnlyWhenFree() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 4, acquireTimeout: .seconds(5)) { db in
            try await db.pool.withConnectionPair { _, _ in
                // Two free: one may be taken when one must stay free, none when two must.
                #expect(try await db.pool.acquireIfFree(keepingFree: 2) == nil)
                let spare = try #require(try await db.pool.acquireIfFree(keepingFree: 1))
                #expect(db.pool.statistics.inUse == 3)
                // One free now, and it must stay free.
                #expect(try await db.pool.acquireIfFree(keepingFree: 1) == nil)
                let pid = try await PostgresConnection(handle: spare, executor: db.pool.executor)
                    .query("SELECT pg_backend_pid() AS p")[0].decode(Int.self, "p")
                #expect(pid > 0)
                db.pool.release(spare)
                #expect(db.pool.statistics.inUse == 2)
            }
            // A caller waiting in line (for a pair, holding one) keeps its place: no spare is taken past it.
            let held = try await db.pool.acquire(count: 2)
            async let waiter: Void = db.pool.withConnection { _ in try await db.pool.withConnectionPair { _, _ in } }
            try await Waiting.until("the pair waits in line", timeout: .seconds(5)) { db.pool.statistics.waiting == 1 }
            #expect(try await db.pool.acquireIfFree(keepingFree: 0) == nil)
            held.forEach(db.pool.release)
            try await waiter
            PostgresPoolTests.expectSettled(db.pool, openAtMost: 4)
        }
    }
}
