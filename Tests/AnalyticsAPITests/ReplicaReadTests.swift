@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Synchronization
import Testing

/// Metric reads from a real streaming standby (issue 17, goal 4): each test starts a primary and a
/// standby of its own (`pg_basebackup -R`), computes the fixture on the primary with the worker and
/// runs the API with the standby as its read database. Pausing the standby's replay makes it lag on
/// purpose, so what the API answers shows which server answered.
@Suite("Reads from a streaming standby")
struct ReplicaReadTests {
    static let first = FixtureDatabase.dates[1]
    static let next = FixtureDatabase.dates[2]
    static let earlier = Array(FixtureDatabase.dates.prefix(2))

    /// Checks a full officer list response against the fixture's expected rows of `date`.
    static func checkList(_ response: TestResponse, date: String) throws {
        #expect(response.status == .ok)
        let meta = try Body.meta(response)
        #expect(meta["calculation_date"] == .string(date))
        let rows = try Body.rows(response)
        let expected = try Expected.officers(date)
        #expect(rows.count == expected.count, "\(date): \(rows.count) rows, expected \(expected.count)")
        for row in rows {
            let id = row["officer_id"]?.stringValue ?? ""
            guard let match = expected.first(where: { $0["officer_id"]?.stringValue == id }) else {
                Issue.record("unexpected officer \(id) on \(date)")
                continue
            }
            ReadEndpointTests.checkOfficer(row, match, "\(date) \(id)")
        }
    }

    @Test("list and detail reads are answered by the standby: with its replay paused they serve its date, not the primary's newer one")
    func readsGoToStandby() async throws {
        try await ReplicaSetup.with(dates: Self.earlier) { setup in
            let headers = try await setup.app.headers("admin")
            try await setup.standby.pauseReplay()
            try await setup.worker(["full-refresh", "--as-of", Self.next])
            #expect(try await setup.primaryServedDate() == Self.next, "the primary serves the new date")
            try await setup.app.application.test(.router) { client in
                try await client.execute(uri: "/api/v1/metrics/officers?per_page=500", method: .get, headers: headers) { response in
                    try Self.checkList(response, date: Self.first)
                }
                try await client.execute(uri: "/api/v1/metrics/officers/OFF0001", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    #expect(try Body.meta(response)["calculation_date"] == .string(Self.first))
                    let expected = try #require(try Expected.officers(Self.first).first { $0["officer_id"]?.stringValue == "OFF0001" })
                    let current = try Body.data(response)["metrics"]?.objectValue?["current"]?.objectValue
                    #expect(Expected.same(current?["risk_score"], expected["risk_score"]))
                }
                for uri in ["/api/v1/metrics/officers?date=\(Self.next)", "/api/v1/metrics/officers/OFF0001?date=\(Self.next)"] {
                    try await client.execute(uri: uri, method: .get, headers: headers) { response in
                        #expect(response.status == .notFound, "\(uri): the standby has not replayed \(Self.next) yet")
                    }
                }
                try await setup.standby.resumeReplay()
                try await setup.standby.waitForReplay(of: setup.database.pool)
                try await client.execute(uri: "/api/v1/metrics/officers?per_page=500", method: .get, headers: headers) { response in
                    try Self.checkList(response, date: Self.next)
                }
                try await client.execute(uri: "/api/v1/metrics/officers/OFF0001", method: .get, headers: headers) { response in
                    let meta = try Body.meta(response)
                    #expect(meta["calculation_date"] == .string(Self.next))
                }
                #expect(try await ReplicaSetup.metric(client, "analytics_api_database_read_fallbacks_total") == 0)
            }
        }
    }

    @Test("a standby that has replayed one of two partitions of a new date serves the previous complete date, exactly, and the new one only once it has all of it")
    func neverHalfADate() async throws {
        try await ReplicaSetup.with(dates: Self.earlier) { setup in
            let headers = try await setup.app.headers("admin")
            try await setup.worker(["full-refresh", "--as-of", Self.next, "--partition", "0/2"])
            try await setup.standby.waitForReplay(of: setup.database.pool)
            try await setup.standby.pauseReplay()
            // Half of the date's work: partition 0/2's loan states and partial officer sums; its
            // officer rows come from the merge of both partitions' sums, in one transaction.
            let partials = try await setup.replicaPool.query(
                "SELECT count(*) AS n FROM officer_partial_sums WHERE calculation_date = $1::date AND partition_key = '0/2'",
                [Self.next])[0].decode(Int.self, "n")
            #expect(partials > 0, "the standby holds partition 0/2's sums of \(Self.next)")
            #expect(try await setup.standbyOfficerRows(Self.next) == 0)
            try await setup.app.application.test(.router) { client in
                try await client.execute(uri: "/api/v1/metrics/officers?per_page=500", method: .get, headers: headers) { response in
                    try Self.checkList(response, date: Self.first)
                }
                try await client.execute(uri: "/api/v1/metrics/officers?date=\(Self.next)", method: .get, headers: headers) { response in
                    #expect(response.status == .notFound)
                }
                // The other half commits on the primary while the standby still lags.
                try await setup.worker(["full-refresh", "--as-of", Self.next, "--partition", "1/2"])
                #expect(try await setup.primaryServedDate() == Self.next)
                try await client.execute(uri: "/api/v1/metrics/officers?per_page=500", method: .get, headers: headers) { response in
                    try Self.checkList(response, date: Self.first)
                }
                try await setup.standby.resumeReplay()
                try await setup.standby.waitForReplay(of: setup.database.pool)
                try await client.execute(uri: "/api/v1/metrics/officers?per_page=500", method: .get, headers: headers) { response in
                    try Self.checkList(response, date: Self.next)
                }
            }
        }
    }

    @Test("an audit write is read back at once, from the primary, while the standby's replay is paused")
    func auditReadYourWrites() async throws {
        try await ReplicaSetup.with(dates: FixtureDatabase.dates) { setup in
            let headers = try await setup.app.headers("auditor")
            let json = try await setup.app.jsonHeaders("auditor")
            let member = try #require(try Expected.input()["team_members"]?.arrayValue?.first?.objectValue)
            let name = try #require(member["member_name"]?.stringValue)
            let memberID = try #require(member["member_id"]?.stringValue)
            try await setup.standby.pauseReplay()
            try await setup.app.application.test(.router) { client in
                try await client.execute(uri: "/api/v1/audit/officers/OFF0002/assignee", method: .put, headers: json,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"\(memberID)\",\"assignee_name\":\"\(name)\"}")) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/metrics/officers/OFF0002", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    let audit = try Body.data(response)["audit_info"]?.objectValue
                    #expect(audit?["assignee"] == .string("Assigned to \(name)"))
                }
                try await client.execute(uri: "/api/v1/metrics/officers?officer_id=OFF0002", method: .get, headers: headers) { response in
                    let row = try #require(try Body.rows(response).first)
                    #expect(row["assignee"] == .string("Assigned to \(name)"))
                }
                try await client.execute(uri: "/api/v1/audit/officers/OFF0002/history", method: .get, headers: headers) { response in
                    let rows = try Body.rows(response)
                    #expect(rows.map { $0["action"]?.stringValue } == ["assignee"])
                }
            }
            // The write is not on the standby yet: a read of it there would not have found it.
            let onStandby = try await setup.replicaPool.query(
                "SELECT count(*) AS n FROM audit_tracking WHERE officer_id = 'OFF0002'")[0].decode(Int.self, "n")
            #expect(onStandby == 0)
            try await setup.standby.resumeReplay()
        }
    }

    @Test("the standby's replay lag is on /metrics: above 0 while replay is paused with a write pending, back to 0 after resume")
    func lagGauge() async throws {
        try await ReplicaSetup.with(dates: Self.earlier, replicaLagInterval: .milliseconds(100)) { setup in
            let lag = "analytics_api_database_replica_lag_seconds"
            try await setup.app.application.test(.router) { client in
                try await Waiting.until("the lag monitor has sampled the standby") {
                    try await ReplicaSetup.metric(client, "analytics_api_database_replica_up") == 1
                }
                try await setup.standby.pauseReplay()
                try await setup.worker(["full-refresh", "--as-of", Self.next])
                try await Waiting.until("/metrics shows the standby lagging") {
                    try await ReplicaSetup.metric(client, lag) > 0
                }
                try await setup.standby.resumeReplay()
                try await Waiting.until("/metrics shows the standby caught up") {
                    try await ReplicaSetup.metric(client, lag) == 0
                }
            }
        }
    }

    /// What the readers saw.
    final class LoadState: Sendable {
        let statuses = Mutex<[Int: Int]>([:])
        /// How a single read ended, for a test waiting on something else meanwhile.
        let outcome = Mutex<String?>(nil)
        let requests = Atomic<Int>(0)
        let done = Atomic<Bool>(false)

        /// Waits until the readers have completed `count` more requests.
        func waitForRequests(_ count: Int) async throws {
            let target = requests.load(ordering: .relaxed) + count
            try await Waiting.until("\(count) more requests completed", timeout: .seconds(60)) {
                requests.load(ordering: .relaxed) >= target
            }
        }
    }

    @Test("the standby killed under 20 concurrent readers: no request fails, the reads fall back to the primary; restarted, the reads return to it")
    func standbyKilledUnderLoad() async throws {
        try await ReplicaSetup.with(dates: Self.earlier) { setup in
            let headers = try await setup.app.headers("viewer")
            let uris = ["/api/v1/metrics/officers", "/api/v1/metrics/officers/OFF0001", "/api/v1/metrics/branches",
                        "/api/v1/filters/options", "/api/v1/loans/fimr-drilldown?limit=10", "/api/v1/metrics/officers?risk_band=Red"]
            try await setup.app.application.test(.live) { client in
                let state = LoadState()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for reader in 0..<20 {
                        group.addTask {
                            var n = reader
                            while !state.done.load(ordering: .relaxed) {
                                n += 1
                                let status = try await client.execute(uri: uris[n % uris.count], method: .get, headers: headers) { $0.status.code }
                                state.statuses.withLock { $0[status, default: 0] += 1 }
                                state.requests.add(1, ordering: .relaxed)
                            }
                        }
                    }
                    group.addTask {
                        // Load before, during and after the outage, measured in requests, not time.
                        defer { state.done.store(true, ordering: .relaxed) }
                        try await state.waitForRequests(200)
                        try await setup.standby.kill()
                        try await state.waitForRequests(400)
                        try await setup.standby.startAgain()
                        try await state.waitForRequests(200)
                    }
                    try await group.waitForAll()
                }
                let statuses = state.statuses.withLock { $0 }
                #expect(statuses.keys.sorted() == [200], "\(statuses)")
                let fallbacks = try await ReplicaSetup.metric(client, "analytics_api_database_read_fallbacks_total")
                #expect(fallbacks > 0)
                // Back on the standby: with its replay paused, a newer date on the primary stays unseen.
                try await setup.standby.waitForReplay(of: setup.database.pool)
                try await setup.standby.pauseReplay()
                try await setup.worker(["full-refresh", "--as-of", Self.next])
                try await Waiting.until("reads are answered by the restarted standby") {
                    try await client.execute(uri: "/api/v1/metrics/officers?per_page=1", method: .get, headers: headers) {
                        try Body.meta($0)["calculation_date"]
                    } == .string(Self.first)
                }
                let settled = try await ReplicaSetup.metric(client, "analytics_api_database_read_fallbacks_total")
                for uri in uris {
                    try await client.execute(uri: uri, method: .get, headers: headers) { #expect($0.status == .ok) }
                }
                #expect(try await ReplicaSetup.metric(client, "analytics_api_database_read_fallbacks_total") == settled)
                try await setup.standby.resumeReplay()
            }
        }
    }

    @Test("a statement the standby cancels for a conflict with recovery is run again on the primary and counted")
    func recoveryConflictFallsBack() async throws {
        // An empty database of its own: no other writes whose replay could cancel the read first.
        try await LocalPostgres.with(durable: false) { primary in
            try await LocalStandby.with(following: primary) { standby in
                try await TestDatabase.with(migrated: false, serverURL: primary.url) { db in
                    try await db.pool.query("CREATE TABLE conflict_probe (n int)")
                    try await db.pool.query("INSERT INTO conflict_probe VALUES (1), (2)")
                    try await standby.waitForReplay(of: db.pool)
                    let replicaPool = PostgresPool(configuration: try PostgresConfiguration(url: try standby.url(database: db.name)),
                                                   maximumConnections: 2, acquireTimeout: .seconds(5), executor: db.executor)
                    defer { replicaPool.shutdown() }
                    // Cancel conflicting standby queries after 50 ms instead of the default 30 s.
                    try await replicaPool.withConnection { connection in
                        try await connection.executeScript("ALTER SYSTEM SET max_standby_streaming_delay = '50ms'")
                        try await connection.query("SELECT pg_reload_conf()")
                    }
                    let metrics = APIMetrics()
                    let reads = ReadPool(replica: replicaPool, primary: db.pool, metrics: metrics, logger: Logger(label: "replica-test"))
                    let early = LoadState()
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        group.addTask {
                            // Long on the standby (until the conflict cancels it), immediate on the primary.
                            do {
                                let n = try await reads.query("""
                                    SELECT count(*) AS n, pg_sleep(CASE WHEN pg_is_in_recovery() THEN 60 ELSE 0 END)::text AS slept
                                    FROM conflict_probe
                                    """)[0].decode(Int.self, "n")
                                early.outcome.withLock { $0 = $0 ?? "returned \(n)" }
                                return n
                            } catch {
                                early.outcome.withLock { $0 = $0 ?? "threw \(String(reflecting: error))" }
                                throw error
                            }
                        }
                        try await Waiting.until("the read runs on the standby") {
                            if let outcome = early.outcome.withLock({ $0 }) {
                                Issue.record("the read ended before the conflict: \(outcome)")
                                return true
                            }
                            return try await replicaPool.query("""
                                SELECT count(*) AS n FROM pg_stat_activity
                                WHERE state = 'active' AND query LIKE '%conflict_probe%' AND pid <> pg_backend_pid()
                                """)[0].decode(Int.self, "n") == 1
                        }
                        // An ACCESS EXCLUSIVE lock the standby must replay: it conflicts with the running read.
                        try await db.pool.query("TRUNCATE conflict_probe")
                        let counted = try await group.next()
                        #expect(counted == 0, "the read was answered by the primary, after the TRUNCATE")
                    }
                    let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
                    #expect(text.contains("analytics_api_database_read_fallbacks_total{reason=\"recovery_conflict\"} 1"), "\(text)")
                }
            }
        }
    }

    @Test("the reads of one answer stay on one server: once one went to the primary (the replica busy), the next ones follow it, not back to a lagging standby")
    func consistentReadsStayOnOneServer() async throws {
        try await LocalPostgres.with(durable: false) { primary in
            try await LocalStandby.with(following: primary) { standby in
                try await TestDatabase.with(migrated: false, serverURL: primary.url) { db in
                    try await db.pool.query("CREATE TABLE one_answer (n int)")
                    try await db.pool.query("INSERT INTO one_answer VALUES (1)")
                    try await standby.waitForReplay(of: db.pool)
                    try await standby.pauseReplay()
                    // Committed on the primary only: the standby, paused, lags one row behind.
                    try await db.pool.query("INSERT INTO one_answer VALUES (2)")
                    // One connection, given up on after 200 ms: a second reader finds the replica busy.
                    let replicaPool = PostgresPool(configuration: try PostgresConfiguration(url: try standby.url(database: db.name)),
                                                   maximumConnections: 1, acquireTimeout: .milliseconds(200), executor: db.executor)
                    defer { replicaPool.shutdown() }
                    let metrics = APIMetrics()
                    let reads = ReadPool(replica: replicaPool, primary: db.pool, metrics: metrics, logger: Logger(label: "replica-test"))
                    func rows() async throws -> Int {
                        try await reads.query("SELECT count(*) AS n FROM one_answer")[0].decode(Int.self, "n")
                    }
                    #expect(try await rows() == 1, "outside a session, a read is the standby's")
                    let held = LoadGate()
                    held.arm()
                    let (first, second) = try await withThrowingTaskGroup(of: Void.self) { group in
                        // Holds the replica's only connection until released.
                        group.addTask { try await replicaPool.withConnection { _ in await held.pass() } }
                        try await Waiting.until("the replica's connection is held") { held.entered }
                        let counts = try await reads.consistent { () async throws -> (Int, Int) in
                            let first = try await rows()  // the replica is busy: the primary answers
                            held.release()
                            try await Waiting.until("the replica's connection is free") {
                                (try? await replicaPool.query("SELECT 1 AS one")) != nil
                            }
                            return (first, try await rows())
                        }
                        try await group.waitForAll()
                        return counts
                    }
                    #expect(first == 2, "the first read of the session, the replica busy, is the primary's")
                    #expect(second == 2, "the next read of the session stays on the primary, though the replica is free again")
                    #expect(try await rows() == 1, "a read of another session starts on the standby again")
                    try await standby.resumeReplay()
                }
            }
        }
    }

    @Test("a replica that refuses connections: reads go to the primary, then straight there during the back-off, then one probes it again")
    func backoff() async throws {
        try await TestDatabase.with(poolSize: 2) { db in
            let port = Int(try await ServerScript.run(["free-port"])) ?? 0
            let refused = PostgresPool(configuration: try PostgresConfiguration(url: "postgres://postgres@127.0.0.1:\(port)/postgres"),
                                       maximumConnections: 2, acquireTimeout: .seconds(5), executor: db.executor)
            defer { refused.shutdown() }
            func count(_ metrics: APIMetrics, _ reason: String) -> Int {
                let text = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
                let prefix = "analytics_api_database_read_fallbacks_total{reason=\"\(reason)\"} "
                return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
            }
            // A back-off longer than the test: the second read does not try the replica.
            let long = APIMetrics()
            let patient = ReadPool(replica: refused, primary: db.pool, metrics: long, logger: Logger(label: "replica-test"),
                                   initialBackoff: .seconds(600), maximumBackoff: .seconds(600))
            #expect(try await patient.query("SELECT 1 AS n")[0].decode(Int.self, "n") == 1)
            #expect(try await patient.query("SELECT 2 AS n")[0].decode(Int.self, "n") == 2)
            #expect(count(long, "unreachable") == 1)
            #expect(count(long, "backoff") == 1, "the second read went straight to the primary")
            // A back-off of a millisecond: once it has passed, a read tries the replica again.
            let short = APIMetrics()
            let eager = ReadPool(replica: refused, primary: db.pool, metrics: short, logger: Logger(label: "replica-test"),
                                 initialBackoff: .milliseconds(1), maximumBackoff: .milliseconds(2))
            try await Waiting.until("a read probes the replica again after the back-off") {
                let n = try await eager.query("SELECT 3 AS n")[0].decode(Int.self, "n")
                #expect(n == 3)
                return count(short, "unreachable") >= 2
            }
        }
    }
}
