@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Faults under load (issue 7), on servers of the test's own: PostgreSQL stopped and started again
/// while readers and audit writers run, and more slow requests than pooled connections.
@Suite("Faults under load", .serialized)
struct FaultTests {
    /// What the load saw.
    struct Outcomes: Sendable {
        var statuses: [Int: Int] = [:]
        var withoutEnvelope = 0
        var slowest: Duration = .zero
        /// Audit writes by their action type: succeeded or failed.
        var writesOK: Set<String> = []
        var writesFailed: Set<String> = []
    }

    /// Shared by the load's tasks.
    final class LoadState: Sendable {
        let outcomes: Mutex<Outcomes>
        let stop: Atomic<Bool>

        init() {
            outcomes = Mutex(Outcomes())
            stop = Atomic(false)
        }
    }

    @Test("PostgreSQL restarted under load: 503 in the envelope while down, /ready not ready, back by itself, no audit write lost or doubled")
    func postgresRestart() async throws {
        try await LocalPostgres.with { server in
            try await FixtureDatabase.create(poolSize: 6, serverURL: server.url, acquireTimeout: .seconds(2)).using { db in
                let app = try await TestApp.make(database: db)
                let reader = try await app.headers("viewer")
                let writer = try await app.jsonHeaders("auditor")
                let officers = ["OFF0001", "OFF0002", "OFF0003", "OFF0004"]
                let state = LoadState()
                try await app.application.test(.router) { client in
                    for officer in officers {
                        try await client.execute(uri: "/api/v1/audit/officers/\(officer)/assignee", method: .put, headers: writer,
                                                 body: ByteBuffer(string: "{\"assignee_id\":\"TM002\"}")) { #expect($0.status == .ok) }
                    }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for worker in 0..<6 {
                            group.addTask {
                                var n = 0
                                while !state.stop.load(ordering: .relaxed) {
                                    n += 1
                                    let started = ContinuousClock.now
                                    let write = n % 4 == 0
                                    let action = "load-\(worker)-\(n)"
                                    let (status, enveloped) = try await write
                                        ? client.execute(uri: "/api/v1/audit/officers/\(officers[worker % officers.count])/actions", method: .post,
                                                         headers: writer, body: ByteBuffer(string: "{\"action_type\":\"\(action)\",\"action_notes\":\"x\"}")) {
                                            ($0.status.code, (try? Body.object($0)["success"]) != nil)
                                        }
                                        : client.execute(uri: "/api/v1/metrics/officers?per_page=5", method: .get, headers: reader) {
                                            ($0.status.code, (try? Body.object($0)["success"]) != nil)
                                        }
                                    let took = ContinuousClock.now - started
                                    state.outcomes.withLock { o in
                                        o.statuses[status, default: 0] += 1
                                        if !enveloped { o.withoutEnvelope += 1 }
                                        o.slowest = max(o.slowest, took)
                                        if write {
                                            if status == 200 { o.writesOK.insert(action) } else { o.writesFailed.insert(action) }
                                        }
                                    }
                                    try await Task.sleep(for: .milliseconds(5))
                                }
                            }
                        }
                        group.addTask {
                            defer { state.stop.store(true, ordering: .relaxed) }
                            // The load runs a while before, during and after the outage (pacing, not waiting
                            // for a condition: every condition below is polled).
                            try await Waiting.until("the load has answered 200s") {
                                state.outcomes.withLock { ($0.statuses[200] ?? 0) >= 20 }
                            }
                            try await server.stop()
                            try await Waiting.until("/ready reports the database down") {
                                try await client.execute(uri: "/ready", method: .get) { $0.status } == .serviceUnavailable
                            }
                            try await Waiting.until("the load has seen the outage") {
                                state.outcomes.withLock { ($0.statuses[503] ?? 0) >= 5 }
                            }
                            try await server.startAgain()
                            // Back by itself, with a generous deadline (how fast is bench material).
                            try await Waiting.until("reads answer 200 again", timeout: .seconds(60)) {
                                try await client.execute(uri: "/api/v1/metrics/officers?per_page=1", method: .get, headers: reader) {
                                    $0.status
                                } == .ok
                            }
                            try await Waiting.until("/ready reports ready") {
                                try await client.execute(uri: "/ready", method: .get) { $0.status } == .ok
                            }
                            let before = state.outcomes.withLock { $0.writesOK.count }
                            try await Waiting.until("audit writes succeed again") {
                                state.outcomes.withLock { $0.writesOK.count } > before + 3
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                let seen = state.outcomes.withLock { $0 }
                // Only successes and 503s (never a 500 or a hang), every one in the envelope.
                #expect(Set(seen.statuses.keys).isSubset(of: [200, 503]), "\(seen.statuses)")
                #expect((seen.statuses[503] ?? 0) > 0, "the outage was not seen: \(seen.statuses)")
                #expect((seen.statuses[200] ?? 0) > 0)
                #expect(seen.withoutEnvelope == 0)
                // No request hangs (a generous bound: the acquire timeout is 2 s; timing itself is bench material).
                #expect(seen.slowest < .seconds(30), "slowest request \(seen.slowest)")
                // Every write that succeeded is in audit_log exactly once; no failed one is.
                let logged = try await db.pool.query("""
                    SELECT new_value->>'action_type' AS action, count(*) AS n FROM audit_log WHERE action = 'action' GROUP BY 1
                    """)
                var counts: [String: Int] = [:]
                for row in logged { counts[try row.decode(String.self, "action")] = try row.decode(Int.self, "n") }
                #expect(Set(counts.keys) == seen.writesOK)
                #expect(counts.values.allSatisfy { $0 == 1 })
                #expect(seen.writesOK.isDisjoint(with: seen.writesFailed))
                #expect(!seen.writesOK.isEmpty)
            }
        }
    }

    @Test("more slow requests than connections: callers wait the acquire timeout, then 503; the pool recovers")
    func poolExhaustion() async throws {
        try await FixtureDatabase.create(poolSize: 2, acquireTimeout: .milliseconds(300)).using { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("viewer")
            try await app.application.test(.router) { client in
                // Hold both connections for two seconds from outside the API.
                async let held: Void = withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<2 {
                        group.addTask {
                            try await db.pool.withConnection { connection in
                                _ = try await connection.query("SELECT pg_sleep(4)")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                // Both connections are busy in the server before the requests start.
                try await Waiting.until("both connections hold pg_sleep") {
                    // From outside the pool (both of its connections are held): psql.
                    let sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(4)' AND state = 'active'"
                    let result = try await ProcessRunner.run("/usr/bin/psql", [db.configuration.url, "-Atc", sql])
                    return result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "2"
                }
                let statuses = try await withThrowingTaskGroup(of: (Int, Duration).self) { group in
                    for _ in 0..<10 {
                        group.addTask {
                            let started = ContinuousClock.now
                            let status = try await client.execute(uri: "/api/v1/metrics/branches", method: .get, headers: headers) {
                                $0.status.code
                            }
                            return (status, ContinuousClock.now - started)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0.0 == 503 }, "\(statuses.map(\.0))")
                // They waited for a connection (at least the acquire timeout) and then gave up: none got
                // one of the held connections (all 503), so none waited for the holders to finish.
                #expect(statuses.allSatisfy { $0.1 >= .milliseconds(250) }, "\(statuses.map(\.1))")
                try await held
                try await client.execute(uri: "/api/v1/metrics/branches", method: .get, headers: headers) { #expect($0.status == .ok) }
            }
        }
    }
}
