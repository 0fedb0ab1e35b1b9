import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import FineractEvents
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

    @Test("SIGKILLed in the middle of a stream consumed in batches (between a commit and its acknowledgements or anywhere), then run again: every repayment once, none lost")
    func killedMidStream() async throws {
        try await TestDatabase.with { db in
            try await EventBroker.holdFixtureLoan(db)
            let queue = EventBroker.uniqueQueue("sigkill")
            let builder = try FineractMessageBuilder()
            let count = 3_000
            let day = try #require(CalendarDate(iso: "2024-02-10"))
            var messages: [[UInt8]] = []
            for index in 0..<count {
                let repayment = FineractTransactionPayload(id: 100_000 + Int64(index), loanID: 42, officeID: 3, officeName: "Kano", date: day,
                                                           amount: Money(minorUnits: 10), principalPortion: Money(minorUnits: 10))
                messages.append(try builder.message(FineractEventEnvelope(id: Int32(1_000 + index), type: "LoanTransactionMakeRepaymentPostBusinessEvent",
                                                                          businessDate: day), .transaction(repayment)))
            }
            try await EventBroker.publish(messages, to: queue)
            var environment = try Self.environment(db, queue: queue)
            environment["FINERACT_EVENTS_BATCH"] = "40"
            let worker = try TestEnvironment.value("TEST_WORKER_BIN")
            let repayments = "SELECT count(*) AS n FROM repayments WHERE loan_id = '42'"
            // Killed three times, each once a few more batches committed.
            for round in 1...3 {
                try await BackgroundProcess.with(worker, ["consume-fineract-events", "--until-idle", "30"], environment: environment) { process in
                    let target = round * count / 5
                    try await Waiting.until("\(target) repayments committed", timeout: .seconds(120)) {
                        try await db.count(repayments) >= target
                    }
                    process.send(SIGKILL)
                    _ = try await process.waitForExit()
                }
                #expect(try await db.count(repayments) < count, "the kill came after the whole stream: the test proves nothing")
            }
            let result = try await ProcessRunner.run(worker, ["consume-fineract-events", "--until-idle", "3"], environment: environment)
            #expect(result.status == 0, "\(result.output)")
            #expect(try await db.count(repayments) == count)
            #expect(try await db.count("SELECT count(*) AS n FROM fineract_event_keys") == count + 1)
            let total = try await db.pool.query("SELECT sum(principal_paid)::text AS s FROM repayments WHERE loan_id = '42'")
            #expect(try total.first?.decode(String.self, "s") == "300.00")
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
