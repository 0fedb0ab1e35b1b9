import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import Testing

@Suite("Job rules: locks, logs, crashes, invalidation")
struct JobRulesTests {
    static func worker(_ arguments: [String], _ db: TestDatabase, redis: String? = nil) async throws -> ProcessRunner.Result {
        var environment = ["DATABASE_URL": db.configuration.url, "LOG_LEVEL": "warning"]
        if let redis { environment["REDIS_URL"] = redis }
        return try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), arguments, environment: environment)
    }

    @Test("a second copy of a job finds the lock held and exits 75 with a clear message; the first runs")
    func lockHeld() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            let date = try #require(CalendarDate(iso: "2024-10-17"))
            let key = JobRunner.lockKey(job: "officer_metrics", date: date, partition: .all)
            try await db.pool.withConnection { holder in
                try await holder.query("SELECT pg_advisory_lock($1)", [key])
                let second = try await Self.worker(["calculate-officer-metrics", "--as-of", "2024-10-17"], db)
                #expect(second.status == 75, "\(second.output)")
                #expect(second.output.contains("already running"))
                try await holder.query("SELECT pg_advisory_unlock($1)", [key])
            }
            let first = try await Self.worker(["calculate-officer-metrics", "--as-of", "2024-10-17"], db)
            #expect(first.status == 0, "\(first.output)")
            // Started together: both finish, one of them possibly skipped, never a failure.
            async let a = Self.worker(["full-refresh", "--as-of", "2024-10-17"], db)
            async let b = Self.worker(["full-refresh", "--as-of", "2024-10-17"], db)
            let statuses = try await [a.status, b.status].sorted()
            #expect(statuses == [0, 0] || statuses == [0, 75])
            let problems = try await ExpectedFixture.differences(date: "2024-10-17", pool: db.pool)
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }

    @Test("a failing job records Failed with the error; a re-run completes")
    func failedRunIsLogged() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            // Break the target table for a moment: the write phase fails.
            try await db.pool.query("ALTER TABLE officer_metrics_daily ADD CONSTRAINT no_rows CHECK (false) NOT VALID")
            let failed = try await Self.worker(["calculate-officer-metrics", "--as-of", "2024-10-17"], db)
            #expect(failed.status == 1, "\(failed.output)")
            #expect(failed.output.contains("no_rows"))
            let log = try await db.pool.query("""
                SELECT status, error_message FROM metric_calculation_log WHERE calculation_type = 'officer_metrics' ORDER BY log_id DESC LIMIT 1
                """)
            #expect(try log[0].decode(String.self, "status") == "Failed")
            #expect(try log[0].decode(String?.self, "error_message")?.contains("no_rows") == true)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM officer_metrics_daily")[0].decode(Int.self, "n") == 0)
            try await db.pool.query("ALTER TABLE officer_metrics_daily DROP CONSTRAINT no_rows")
            let rerun = try await Self.worker(["calculate-officer-metrics", "--as-of", "2024-10-17"], db)
            #expect(rerun.status == 0, "\(rerun.output)")
        }
    }

    @Test("a job killed with SIGKILL during its write phase leaves no half-written date; a re-run equals a clean run")
    func killedMidWrite() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            let asOf = try #require(CalendarDate(iso: "2024-11-30"))
            _ = try await SeedDemoCommand.seed(DemoPortfolio(officers: 40, loans: 4000, seed: 7, asOf: asOf), pool: db.pool)
            let binary = try TestEnvironment.value("TEST_WORKER_BIN")
            // Hold a lock on loan_states, so the job stops in the middle of its write transaction (its
            // new table written, waiting to swap it in); kill the process there, then let go.
            let script = """
                url='\(db.configuration.url)'
                psql "$url" -qAtc "BEGIN; LOCK TABLE loan_states IN ACCESS SHARE MODE; SELECT pg_sleep(120); COMMIT" >/dev/null 2>&1 &
                until psql "$url" -Atc "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND state = 'active' AND pid <> pg_backend_pid()" | grep -q '^1'; do sleep 0.05; done
                DATABASE_URL="$url" LOG_LEVEL=warning '\(binary)' full-refresh --as-of 2024-11-30 >/dev/null 2>&1 &
                pid=$!
                outcome=timeout
                for i in $(seq 1 1200); do
                  if psql "$url" -Atc "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE loan_states RENAME%' AND wait_event_type = 'Lock'" | grep -q '^1'; then
                    kill -9 $pid; outcome=killed; break
                  fi
                  kill -0 $pid 2>/dev/null || { outcome=finished; break; }
                  sleep 0.05
                done
                [ $outcome = timeout ] && kill -9 $pid
                psql "$url" -qAtc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null
                # The killed job's server session ends (rolling back) once it next talks to the client.
                until psql "$url" -Atc "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE loan_states%' AND pid <> pg_backend_pid()" | grep -q '^0'; do sleep 0.05; done
                echo $outcome
                """
            let killed = try await ProcessRunner.run("/bin/bash", ["-c", script])
            #expect(killed.output.contains("killed"), "\(killed.output)")
            // Nothing of D was half-written: either no loan state at all, or the job's log says Completed.
            let written = try await db.pool.query("SELECT count(*) AS n FROM loans WHERE computed_as_of IS NOT NULL")[0].decode(Int.self, "n")
            #expect(written == 0)
            let rerun = try await Self.worker(["full-refresh", "--as-of", "2024-11-30"], db)
            #expect(rerun.status == 0, "\(rerun.output)")
            // A clean database with the same data and one run gives the same rows.
            try await TestDatabase.create(poolSize: 6).using { clean in
                _ = try await SeedDemoCommand.seed(DemoPortfolio(officers: 40, loans: 4000, seed: 7, asOf: asOf), pool: clean.pool)
                #expect(try await Self.worker(["full-refresh", "--as-of", "2024-11-30"], clean).status == 0)
                for query in [Self.loanStates, Self.officerRows, Self.branchRows] {
                    let a = try await db.pool.query(query).map { try $0.decode(String.self, "r") }
                    let b = try await clean.pool.query(query).map { try $0.decode(String.self, "r") }
                    #expect(a == b)
                    #expect(!a.isEmpty)
                }
            }
        }
    }

    static let loanStates = """
        SELECT (to_jsonb(l) - 'created_at' - 'updated_at' - 'computed_at' - 'source_changed_at' - 'refreshed_source_at')::text AS r FROM loans l ORDER BY loan_id
        """
    static let officerRows = """
        SELECT (to_jsonb(m) - 'metric_id' - 'calculated_at')::text AS r FROM officer_metrics_daily m ORDER BY officer_id, calculation_date
        """
    static let branchRows = """
        SELECT (to_jsonb(b) - 'metric_id' - 'calculated_at')::text AS r FROM branch_metrics_daily b ORDER BY branch, calculation_date
        """

    @Test("after a job for D commits, the cache entries of D are no longer served (generation bumped)")
    func invalidation() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            let executor = BlockingExecutor(threads: 2)
            let redis = RedisClient(configuration: try RedisConfiguration(url: try TestEnvironment.redisURL()), executor: executor)
            let before = try await CacheNamespace.generation(redis: redis)
            let key = CacheNamespace.key(generation: before, family: .officerMetrics, ["OFF0001", "2024-10-17"])
            try await redis.set(key, "stale", expireSeconds: 60)
            let run = try await Self.worker(["calculate-officer-metrics", "--as-of", "2024-10-17"], db, redis: try TestEnvironment.redisURL())
            #expect(run.status == 0, "\(run.output)")
            let after = try await CacheNamespace.generation(redis: redis)
            #expect(after > before)
            let current = CacheNamespace.key(generation: after, family: .officerMetrics, ["OFF0001", "2024-10-17"])
            #expect(try await redis.get(current) == nil)
            // Redis down does not fail the job.
            let port = Int(try await ServerScript.run(["free-port"])) ?? 1
            let down = try await Self.worker(["calculate-officer-metrics", "--as-of", "2024-10-17"], db, redis: "redis://127.0.0.1:\(port)")
            #expect(down.status == 0, "\(down.output)")
            #expect(down.output.contains("cache_invalidation_failed"))
            try await executor.shutdown()
        }
    }

    @Test("refresh-loans --changed-only after new repayments equals a full refresh")
    func changedOnly() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            #expect(try await Self.worker(["refresh-loans", "--as-of", "2024-11-01"], db).status == 0)
            let path = try IngestTests.write("""
                {"repayment_id":"NEW-1","loan_id":"LN000001","payment_date":"2024-10-30","payment_amount":50.00,"principal_paid":50.00,"interest_paid":0,"fees_paid":0,"penalty_paid":0}
                """)
            _ = try await IngestCommand.ingest([(path, nil)], pool: db.pool)
            let incremental = try await Self.worker(["refresh-loans", "--changed-only", "--as-of", "2024-11-01"], db)
            #expect(incremental.status == 0, "\(incremental.output)")
            #expect(incremental.output.contains(": 1 loans refreshed (those whose stored state no longer held)"), "\(incremental.output)")
            let afterIncremental = try await db.pool.query(Self.loanStates).map { try $0.decode(String.self, "r") }
            #expect(try await Self.worker(["refresh-loans", "--as-of", "2024-11-01"], db).status == 0)
            let afterFull = try await db.pool.query(Self.loanStates).map { try $0.decode(String.self, "r") }
            #expect(afterIncremental == afterFull)
        }
    }

    @Test("archive-old-data moves old rows to the archive tables and deletes nothing it did not copy")
    func archive() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            for date in FixtureDatabase.dates { #expect(try await Self.worker(["full-refresh", "--as-of", date], db).status == 0) }
            let total = try await db.pool.query("SELECT count(*) AS n FROM officer_metrics_daily")[0].decode(Int.self, "n")
            let run = try await Self.worker(["archive-old-data", "--as-of", "2024-11-01", "--keep-days", "10"], db)
            #expect(run.status == 0, "\(run.output)")
            let live = try await db.pool.query("SELECT count(*) AS n FROM officer_metrics_daily")[0].decode(Int.self, "n")
            let archived = try await db.pool.query("SELECT count(*) AS n FROM officer_metrics_daily_archive")[0].decode(Int.self, "n")
            #expect(live + archived == total)
            #expect(archived > 0)
            let oldest = try await db.pool.query("SELECT min(calculation_date) AS d FROM officer_metrics_daily")[0].decode(CalendarDate.self, "d")
            #expect(oldest >= (try #require(CalendarDate(iso: "2024-10-22"))))
        }
    }

    @Test("a job cancelled while it runs (daemon shutdown) leaves no advisory lock behind on a pooled connection")
    func cancelledJobReleasesItsLocks() async throws {
        try await TestDatabase.create(poolSize: 3).using { db in
            let runner = JobRunner(pool: db.pool, redis: nil, logger: .init(label: "test"))
            let date = try #require(CalendarDate(iso: "2024-10-17"))
            let job = Task {
                try await runner.run("officer_metrics", date: date, partition: .all, invalidatesCache: false) { _ in
                    try await Task.sleep(for: .seconds(60))
                    return JobCounts()
                }
            }
            // This database's advisory locks (suites run in parallel on one server, each in its own database).
            let advisory = """
                SELECT count(*) AS n FROM pg_locks
                WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """
            try await Waiting.until("the job holds its locks") { try await db.pool.query(advisory)[0].decode(Int.self, "n") == 2 }
            job.cancel()
            await #expect(throws: (any Error).self) { try await job.value }
            // The unlock could not run in the cancelled task: the connection was closed instead of
            // going back to the pool with the locks, so the server released them.
            try await Waiting.until("no advisory lock is held") { try await db.pool.query(advisory)[0].decode(Int.self, "n") == 0 }
            // And the job runs again at once (its lock and the writers' lock are free).
            let counts = try await runner.run("officer_metrics", date: date, partition: .all, invalidatesCache: false) { _ in JobCounts() }
            #expect(counts.failed == 0)
        }
    }
}
