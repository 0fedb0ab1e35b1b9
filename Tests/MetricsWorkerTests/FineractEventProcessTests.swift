import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Glibc
import Testing

/// `metrics-worker consume-fineract-events` and the daemon's consumer as real processes, against the
/// test run's ActiveMQ and PostgreSQL.
@Suite("consume-fineract-events: processes")
struct FineractEventProcessTests {
    static func environment(_ db: TestDatabase, queue: String) throws -> [String: String] {
        ["DATABASE_URL": db.configuration.url, "LOG_LEVEL": "info", "LOG_FORMAT": "json",
         "FINERACT_EVENTS_URL": try TestEnvironment.activeMQStompURL(), "FINERACT_EVENTS_QUEUE": queue]
    }

    @Test("--until-idle: consumes, prints the summary, writes its log row, exits 65 when something was parked")
    func command() async throws {
        try await TestDatabase.with { db in
            try await EventBroker.holdFixtureLoan(db)
            let queue = EventBroker.uniqueQueue("command")
            var unknown = try EventBroker.fixture("message with a loan transaction", key: EventBroker.newKey())
            unknown[4] ^= 0x11
            try await EventBroker.publish([try EventBroker.fixture("message with a loan transaction", key: EventBroker.newKey()), unknown],
                                          to: queue)
            let result = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), ["consume-fineract-events", "--until-idle", "3"],
                                                     environment: try Self.environment(db, queue: queue))
            #expect(result.status == 65, "\(result.output)")
            #expect(result.output.contains("consume-fineract-events: consumed 2, applied 1, duplicates 0"), "\(result.output)")
            #expect(result.output.contains("parked 1"), "\(result.output)")
            let status = try await db.pool.query("""
                SELECT status, records_processed FROM metric_calculation_log WHERE calculation_type = 'consume-fineract-events'
                """)
            #expect(status.count == 1)
            #expect(try status.first?.decode(String.self, "status") == "Completed")
            #expect(try status.first?.decode(Int.self, "records_processed") == 2)

            let empty = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), ["consume-fineract-events", "--until-idle", "2"],
                                                    environment: try Self.environment(db, queue: queue))
            #expect(empty.status == 0, "\(empty.output)")
            #expect(empty.output.contains("consumed 0"), "\(empty.output)")

            var missing = try Self.environment(db, queue: queue)
            missing["FINERACT_EVENTS_URL"] = nil
            let usage = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), ["consume-fineract-events", "--until-idle", "2"],
                                                    environment: missing)
            #expect(usage.status == 64)
            #expect(usage.output.contains("FINERACT_EVENTS_URL"))
        }
    }

    @Test("the daemon consumes when FINERACT_EVENTS_URL is set, exports its counts on /metrics, and stops cleanly on SIGTERM")
    func daemon() async throws {
        try await TestDatabase.with { db in
            try await EventBroker.holdFixtureLoan(db)
            let queue = EventBroker.uniqueQueue("daemon")
            let key = EventBroker.newKey()
            var environment = DaemonProcessTests.environment(db)
            for (name, value) in try Self.environment(db, queue: queue) { environment[name] = value }
            try await DaemonProcessTests.withDaemon(["--no-schedule"], environment) { process, port in
                try await EventBroker.publish([try EventBroker.fixture("message with a loan transaction", key: key)], to: queue)
                try await Waiting.until("the daemon applied the message", timeout: .seconds(60)) {
                    try await db.count("SELECT count(*) AS n FROM fineract_event_keys WHERE idempotency_key = $1", [key]) == 1
                }
                let metrics = try await DaemonProcessTests.get(port, "/metrics")
                #expect(metrics.body.contains(#"analytics_daemon_fineract_events_total{outcome="applied"} 1"#), "\(metrics.body)")
                #expect(metrics.body.contains("analytics_daemon_fineract_events_last_message_timestamp_seconds"))
                process.send(SIGTERM)
                #expect(try await process.waitForExit() == 0, "\(process.output.suffix(2000))")
            }
        }
    }
}
