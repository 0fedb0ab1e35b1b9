import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Glibc
import Testing

/// `metrics-worker daemon` as a real process against a real database: its /metrics, /health and
/// /ready, the schedule computing the fixture exactly, the lease with two daemons (kill -9 the
/// holder, the other takes over), and SIGTERM (a running job finishes, or is cancelled after the
/// grace period; exit 0 either way).
@Suite("Daemon process")
struct DaemonProcessTests {
    /// Every schedule entry off, then `overrides`.
    static func environment(_ db: TestDatabase, _ overrides: [String: String] = [:]) -> [String: String] {
        var environment = [
            "DATABASE_URL": db.configuration.url, "LOG_LEVEL": "info", "LOG_FORMAT": "json",
            "DAEMON_METRICS_PORT": "0", "DAEMON_LEASE_RETRY_SECONDS": "1",
            "DAEMON_SCHEDULE_FULL_REFRESH": "off", "DAEMON_SCHEDULE_ARCHIVE_OLD_DATA": "off",
            "DAEMON_SCHEDULE_OFFICER_METRICS": "off", "DAEMON_SCHEDULE_BRANCH_METRICS": "off",
            "DAEMON_SCHEDULE_PAR15_SNAPSHOT": "off",
        ]
        for (key, value) in overrides { environment[key] = value }
        return environment
    }

    /// A migrated database with the fixture's input ingested (no metrics computed), for `body`.
    static func withIngestedFixture<R>(_ body: (TestDatabase) async throws -> R) async throws -> R {
        try await TestDatabase.with { db in
            let input = FixtureDatabase.fixturesDirectory.appendingPathComponent("small/input.json").path
            try await FixtureDatabase.runWorker(["ingest", input], database: db)
            return try await body(db)
        }
    }

    /// Starts the daemon, runs `body` with it and the port of its metrics server.
    static func withDaemon<R>(_ arguments: [String], _ environment: [String: String],
                              _ body: (BackgroundProcess, Int) async throws -> R) async throws -> R {
        try await BackgroundProcess.with(try TestEnvironment.value("TEST_WORKER_BIN"), ["daemon"] + arguments,
                                         environment: environment) { process in
            var port: Int?
            do {
                try await Waiting.until("the daemon's metrics server listens") {
                    port = process.jsonLines.lazy.filter { $0["message"] as? String == "metrics_listening" }
                        .compactMap { ($0["metadata"] as? [String: Any])?["port"] as? Int }.first
                    return port != nil
                }
            } catch {
                throw DaemonDidNotStart(description: "\(error); the daemon wrote: \(process.output.suffix(3000))")
            }
            return try await body(process, port ?? 0)
        }
    }

    /// GET `path` on the daemon (with python3, which scripts/servers.sh deps installs): the status
    /// code and the body.
    static func get(_ port: Int, _ path: String) async throws -> (status: Int, body: String) {
        let script = """
            import sys, urllib.request, urllib.error
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            try:
                r = opener.open(sys.argv[1], timeout=10); body, code = r.read(), r.status
            except urllib.error.HTTPError as e:
                body, code = e.read(), e.code
            sys.stdout.write(body.decode() + "\\n" + str(code))
            """
        let result = try await ProcessRunner.run("python3", ["-c", script, "http://127.0.0.1:\(port)\(path)"])
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    static func logStatus(_ db: TestDatabase, _ type: String, _ date: String) async throws -> [String] {
        try await db.pool.query("""
            SELECT status FROM metric_calculation_log WHERE calculation_type = $1 AND calculation_date = $2::date ORDER BY log_id
            """, [type, date]).map { try $0.decode(String.self, "status") }
    }

    static func logged(_ process: BackgroundProcess, _ message: String) -> Bool {
        process.jsonLines.contains { $0["message"] as? String == message }
    }

    @Test("the schedule computes the fixture's 2024-11-01 exactly; /metrics, /health and /ready answer; SIGTERM exits 0")
    func scheduleAndEndpoints() async throws {
        try await Self.withIngestedFixture { db in
            // The officer and branch entries fire at 00:00: today's fire time has passed, and
            // nothing was computed for 2024-11-01, so both run at start (officer metrics first, in
            // the table's order), once. (Every 15/30 minutes, as before, fired a second time when
            // the test crossed a quarter hour of the wall clock.)
            let environment = Self.environment(db, ["DAEMON_SCHEDULE_OFFICER_METRICS": "0 0 * * *",
                                                    "DAEMON_SCHEDULE_BRANCH_METRICS": "0 0 * * *"])
            try await Self.withDaemon(["--as-of", "2024-11-01", "--no-follow"], environment) { process, port in
                try await Waiting.until("both entries completed", timeout: .seconds(120)) {
                    let text = try await Self.get(port, "/metrics").body
                    return text.contains(#"analytics_daemon_job_last_result{schedule="officer-metrics",outcome="completed"} 1.0"#)
                        && text.contains(#"analytics_daemon_job_last_result{schedule="branch-metrics",outcome="completed"} 1.0"#)
                }
                #expect(try await ExpectedFixture.differences(date: "2024-11-01", pool: db.pool) == [])
                let metrics = try await Self.get(port, "/metrics")
                #expect(metrics.status == 200)
                for series in ["analytics_daemon_lease_held 1.0", "# TYPE analytics_daemon_queue_depth gauge",
                               "# TYPE analytics_daemon_oldest_change_age_seconds gauge",
                               "# TYPE analytics_daemon_batch_duration_seconds histogram",
                               "# TYPE analytics_daemon_batch_loans histogram", #"analytics_daemon_batches_total{outcome="failed"} 0"#,
                               #"analytics_daemon_job_runs_total{schedule="officer-metrics",outcome="completed"} 1"#,
                               #"analytics_daemon_job_last_run_timestamp_seconds{schedule="branch-metrics"}"#,
                               #"analytics_daemon_job_last_duration_seconds{schedule="officer-metrics"}"#] {
                    #expect(metrics.body.contains(series), "missing \(series)")
                }
                let health = try await Self.get(port, "/health")
                #expect(health.status == 200 && health.body.contains(#""status":"ok""#))
                let ready = try await Self.get(port, "/ready")
                #expect(ready.status == 200, "\(ready.body)")
                #expect(ready.body.contains(#""ready":true"#) && ready.body.contains(#""lease_held":true"#), "\(ready.body)")
                #expect(try await Self.get(port, "/nothing").status == 404)
                process.send(SIGTERM)
                #expect(try await process.waitForExit() == 0, "\(process.output.suffix(3000))")
                #expect(Self.logged(process, "lease_released") && Self.logged(process, "daemon_stopped"))
            }
        }
    }

    @Test("two daemons on one database: one schedules; kill -9 it and the other takes over")
    func leaseTakeover() async throws {
        try await TestDatabase.with { db in
            let environment = Self.environment(db)
            try await Self.withDaemon(["--no-follow"], environment) { first, firstPort in
                try await Waiting.until("the first daemon holds the lease") {
                    try await Self.get(firstPort, "/metrics").body.contains("analytics_daemon_lease_held 1.0")
                }
                try await Self.withDaemon(["--no-follow"], environment) { second, secondPort in
                    try await Waiting.until("the second daemon stands by") { Self.logged(second, "lease_held_elsewhere") }
                    #expect(try await Self.get(secondPort, "/metrics").body.contains("analytics_daemon_lease_held 0.0"))
                    #expect(try await Self.get(secondPort, "/ready").status == 200)
                    // Exactly one session holds the lease lock.
                    let holders = try await db.pool.query("""
                        SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND ((classid::bigint << 32) | objid::bigint) = $1
                        """, [Int64(bitPattern: FNV1a.hash64("daemon:schedule-lease"))])[0].decode(Int.self, "n")
                    #expect(holders == 1)
                    first.send(SIGKILL)
                    #expect(try await first.waitForExit() == 128 + SIGKILL)
                    try await Waiting.until("the second daemon takes the lease") {
                        try await Self.get(secondPort, "/metrics").body.contains("analytics_daemon_lease_held 1.0")
                    }
                    #expect(Self.logged(second, "lease_acquired"))
                }
            }
        }
    }

    /// Runs the officer-metrics entry at start with its officer rows' table locked by the test, so
    /// the job is mid-run when SIGTERM arrives; `then` gets the daemon and the locking connection.
    static func withBlockedJob(grace: Int, _ then: (BackgroundProcess, PostgresConnection, TestDatabase) async throws -> Void) async throws {
        try await Self.withIngestedFixture { db in
            let environment = Self.environment(db, ["DAEMON_SCHEDULE_OFFICER_METRICS": "*/15 * * * *",
                                                    "DAEMON_SHUTDOWN_GRACE_SECONDS": String(grace)])
            try await db.pool.withConnection { locker in
                try await locker.executeScript("BEGIN")
                try await locker.executeScript("LOCK TABLE officer_metrics_daily IN ACCESS EXCLUSIVE MODE")
                do {
                    try await Self.withDaemon(["--as-of", "2024-11-01", "--no-follow"], environment) { process, _ in
                        try await Waiting.until("the officer metrics run waits for the lock", timeout: .seconds(120)) {
                            try await Self.logStatus(db, "officer_metrics", "2024-11-01") == ["Running"]
                        }
                        try await then(process, locker, db)
                    }
                } catch {
                    try? await locker.executeScript("ROLLBACK")
                    throw error
                }
                try? await locker.executeScript("ROLLBACK")
            }
        }
    }

    @Test("SIGTERM while a job runs: it finishes within the grace period, its log row ends Completed, exit 0")
    func sigtermLetsJobFinish() async throws {
        try await Self.withBlockedJob(grace: 120) { process, locker, db in
            process.send(SIGTERM)
            try await Waiting.until("the daemon gives the job its grace period") { Self.logged(process, "job_finishing") }
            try await locker.executeScript("ROLLBACK")
            #expect(try await process.waitForExit() == 0, "\(process.output.suffix(3000))")
            #expect(try await Self.logStatus(db, "officer_metrics", "2024-11-01") == ["Completed"])
            let rows = try await db.pool.query("SELECT count(*) AS n FROM officer_metrics_daily WHERE calculation_date = '2024-11-01'")
            let expected = try ExpectedFixture.load("small/expected/2024-11-01/officer_metrics.json").arrayValue?.count ?? -1
            #expect(try rows[0].decode(Int.self, "n") == expected)
            #expect(Self.logged(process, "job_completed"))
            #expect(!Self.logged(process, "job_interrupted"))
        }
    }

    @Test("SIGTERM, and the job outlives the grace period: its statement is cancelled, its log row ends Failed, nothing half-written, exit 0")
    func sigtermCancelsAfterGrace() async throws {
        try await Self.withBlockedJob(grace: 1) { process, locker, db in
            process.send(SIGTERM)
            #expect(try await process.waitForExit() == 0, "\(process.output.suffix(3000))")
            #expect(try await Self.logStatus(db, "officer_metrics", "2024-11-01") == ["Failed"])
            #expect(Self.logged(process, "job_interrupted") && Self.logged(process, "job_cancelled"))
            // The statement cancel was enough: the job returned on its own, JobRunner recorded it.
            #expect(!Self.logged(process, "job_task_cancelled"))
            // Nothing of 2024-11-01 was written (read inside the locking transaction).
            let rows = try await locker.query("SELECT count(*) AS n FROM officer_metrics_daily WHERE calculation_date = '2024-11-01'")
            #expect(try rows[0].decode(Int.self, "n") == 0)
        }
    }

    @Test("a metrics port already taken: one line naming the settings, exit 1; without a database the daemon waits, not ready")
    func portTakenAndDatabaseDown() async throws {
        let environment = ["DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "DAEMON_METRICS_PORT": "0", "LOG_FORMAT": "json"]
        try await Self.withDaemon(["--no-follow"], environment) { first, port in
            try await Waiting.until("the first daemon says the database is unavailable") { Self.logged(first, "lease_unavailable") }
            let ready = try await Self.get(port, "/ready")
            #expect(ready.status == 503 && ready.body.contains(#""database":"unavailable""#), "\(ready.body)")
            #expect(!ready.body.contains("nobody"), "the probe must not show connection details: \(ready.body)")
            #expect(try await Self.get(port, "/health").status == 200)
            let second = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), ["daemon", "--no-follow", "--metrics-port", String(port)],
                                                     environment: environment)
            #expect(second.status == 1, "\(second.output)")
            #expect(second.output.contains("cannot listen on 127.0.0.1:\(port)") && second.output.contains("--metrics-port"), "\(second.output)")
            first.send(SIGTERM)
            #expect(try await first.waitForExit() == 0, "\(first.output.suffix(2000))")
        }
    }

    @Test("bad settings and options stop start-up with one line naming them (exit 64)",
          arguments: [
            (["daemon"], ["DAEMON_SCHEDULE_FULL_REFRESH": "0 25 * * *"], "DAEMON_SCHEDULE_FULL_REFRESH"),
            (["daemon"], ["DAEMON_SCHEDULE_OFFICER_METRICS": "every 15 minutes"], "DAEMON_SCHEDULE_OFFICER_METRICS"),
            (["daemon"], ["DAEMON_METRICS_PORT": "70000"], "DAEMON_METRICS_PORT"),
            (["daemon"], ["DAEMON_SHUTDOWN_GRACE_SECONDS": "-1"], "DAEMON_SHUTDOWN_GRACE_SECONDS"),
            (["daemon", "--no-schedule", "--no-follow"], [:], "--no-schedule"),
            (["daemon", "--metrics-port", "-2"], [:], "--metrics-port"),
            (["daemon", "--as-of", "2999-01-01"], [:], "--as-of"),
          ])
    func badSettings(arguments: [String], environment: [String: String], names: String) async throws {
        var env = environment
        env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
        let result = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), arguments, environment: env)
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains(names), "\(result.output)")
    }
}

/// The daemon never said where its metrics server listens.
struct DaemonDidNotStart: Error, CustomStringConvertible {
    var description: String
}
