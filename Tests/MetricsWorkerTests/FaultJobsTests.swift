import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// PostgreSQL restarted in the middle of `full-refresh` and of a large `ingest` (issue 7): the run
/// fails with a clear message (and, for the job, a Failed log row), a re-run completes, and the
/// tables equal a clean run's: nothing lost, nothing doubled.
@Suite("Worker faults: PostgreSQL restarted mid-run", .serialized)
struct FaultJobsTests {
    static let asOf = "2024-11-30"
    static func portfolio() -> DemoPortfolio {
        DemoPortfolio(officers: 40, loans: 6_000, seed: 11, asOf: CalendarDate(iso: asOf) ?? CalendarDate(daysSinceEpoch: 0))
    }

    static func worker(_ arguments: [String], _ db: TestDatabase) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), arguments,
                                    environment: ["DATABASE_URL": db.configuration.url, "LOG_LEVEL": "warning",
                                                  "MIGRATIONS_DIR": TestEnvironment.migrationsDirectory])
    }

    /// Waits until a session of `db` runs a statement matching `pattern`, then restarts the server.
    static func restart(_ server: LocalPostgres, when pattern: String, in db: TestDatabase) async throws -> Bool {
        let watcher = PostgresPool(configuration: db.configuration, maximumConnections: 1, acquireTimeout: .seconds(5), executor: db.executor)
        defer { watcher.shutdown() }
        for _ in 0..<2_000 {
            let running = try await watcher.query("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE $1 AND state = 'active' AND pid <> pg_backend_pid()
                """, [pattern])[0].decode(Int.self, "n")
            if running > 0 {
                try await server.restart()
                return true
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    static let tables = [
        "SELECT (to_jsonb(l) - 'created_at' - 'updated_at' - 'computed_at' - 'source_changed_at' - 'refreshed_source_at')::text AS r FROM loans l ORDER BY loan_id",
        "SELECT (to_jsonb(r) - 'created_at' - 'updated_at')::text AS r FROM repayments r ORDER BY repayment_id",
        "SELECT (to_jsonb(m) - 'metric_id' - 'created_at' - 'updated_at' - 'calculated_at')::text AS r FROM officer_metrics_daily m ORDER BY officer_id, calculation_date",
        "SELECT (to_jsonb(b) - 'metric_id' - 'created_at' - 'updated_at' - 'calculated_at')::text AS r FROM branch_metrics_daily b ORDER BY branch, calculation_date",
        "SELECT (to_jsonb(t) - 'transition_id' - 'created_at')::text AS r FROM dpd_transitions t ORDER BY loan_id, transition_date",
    ]

    static func rows(_ db: TestDatabase) async throws -> [[String]] {
        var all: [[String]] = []
        for query in tables { all.append(try await db.pool.query(query).map { try $0.decode(String.self, "r") }) }
        return all
    }

    @Test("full-refresh: restarted mid-run it fails with the error in a Failed log row; a re-run equals a clean run")
    func fullRefresh() async throws {
        try await LocalPostgres.with { server in
            try await TestDatabase.create(poolSize: 4, serverURL: server.url).using { db in
                _ = try await SeedDemoCommand.seed(Self.portfolio(), pool: db.pool)
                async let run = Self.worker(["full-refresh", "--as-of", Self.asOf], db)
                #expect(try await Self.restart(server, when: "COPY (SELECT r.loan_id%", in: db))
                let failed = try await run
                #expect(failed.status != 0)
                #expect(failed.output.contains("full-refresh"), "\(failed.output)")
                let log = try await db.pool.query("""
                    SELECT status, error_message FROM metric_calculation_log WHERE calculation_type = 'full_refresh' ORDER BY log_id
                    """)
                #expect(try log.map { try $0.decode(String.self, "status") } == ["Failed"])
                #expect(try log.first?.decode(String?.self, "error_message")?.isEmpty == false)
                #expect(try await Self.worker(["full-refresh", "--as-of", Self.asOf], db).status == 0)

                try await TestDatabase.create(poolSize: 4).using { clean in
                    _ = try await SeedDemoCommand.seed(Self.portfolio(), pool: clean.pool)
                    #expect(try await Self.worker(["full-refresh", "--as-of", Self.asOf], clean).status == 0)
                    let (mine, theirs) = (try await Self.rows(db), try await Self.rows(clean))
                    for (a, b) in zip(mine, theirs) {
                        #expect(a == b)
                    }
                    #expect(mine[0].count == 6_000)
                }
            }
        }
    }

    @Test("ingest: restarted in the middle of a large NDJSON file it fails clearly; a re-run loads every record exactly once")
    func ingest() async throws {
        try await LocalPostgres.with { server in
            try await TestDatabase.create(poolSize: 4, serverURL: server.url).using { db in
                var portfolio = Self.portfolio()
                var lines = portfolio.masterData().map(\.jsonText)
                for index in 0..<portfolio.loans { lines += portfolio.loan(index).map(\.jsonText) }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("fault-\(UUID().uuidString).ndjson")
                try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(at: file) }

                async let run = Self.worker(["ingest", file.path], db)
                // Restart once some chunks have committed.
                var restarted = false
                for _ in 0..<4_000 where !restarted {
                    let loaded = (try? await db.pool.query("SELECT count(*) AS n FROM repayments")[0].decode(Int.self, "n")) ?? 0
                    if loaded > 10_000 {
                        try await server.restart()
                        restarted = true
                    } else {
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
                #expect(restarted)
                let failed = try await run
                #expect(failed.status != 0, "\(failed.output)")
                #expect(failed.output.contains("ingest"), "\(failed.output)")
                let again = try await Self.worker(["ingest", file.path], db)
                #expect(again.status == 0, "\(again.output)")

                try await TestDatabase.create(poolSize: 4).using { clean in
                    #expect(try await Self.worker(["ingest", file.path], clean).status == 0)
                    let (mine, theirs) = (try await Self.rows(db), try await Self.rows(clean))
                    #expect(mine[0] == theirs[0])
                    #expect(mine[1] == theirs[1])
                    #expect(mine[0].count == 6_000)
                    #expect(try await db.pool.query("SELECT count(*) AS n FROM etl_rejects")[0].decode(Int.self, "n") == 0)
                }
            }
        }
    }
}
