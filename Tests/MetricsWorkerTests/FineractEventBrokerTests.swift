import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import FineractEvents
import Foundation
@testable import MetricsWorker
import Stomp
import Testing

/// The consumer against the test run's ActiveMQ and PostgreSQL: Fineract messages (Avro encoded by
/// the Python `avro` package) sent as BytesMessages, consumed with `--until-idle`.
@Suite("consume-fineract-events: over the broker")
struct FineractEventBrokerTests {
    static func consumer(_ db: TestDatabase, queue: String, url: String? = nil, idle: Duration = .seconds(3),
                         afterApply: (@Sendable (FineractEventOutcome) async throws -> Void)? = nil) throws -> FineractEventConsumer {
        FineractEventConsumer(configuration: try EventBroker.settings(queue: queue, url: url), pool: db.pool,
                              reader: try FineractEventReader.fineract(), idleTimeout: idle, stats: FineractEventStats(),
                              logger: EventBroker.logger, afterApply: afterApply)
    }

    @Test("a message with an unknown fingerprint and a truncated one are parked (base64, reason) and acknowledged; the stream goes on")
    func parkedAndOn() async throws {
        try await TestDatabase.with { db in
            try await EventBroker.holdFixtureLoan(db)
            let queue = EventBroker.uniqueQueue("parked")
            let valid = try EventBroker.fixture("message with a loan transaction", key: EventBroker.newKey())
            var unknown = try EventBroker.fixture("message with a loan transaction", key: EventBroker.newKey())
            unknown[5] ^= 0x33
            let truncated = Array(try EventBroker.fixture("message with a loan transaction", key: EventBroker.newKey()).dropLast(9))
            let after = try EventBroker.fixture("message with a loan transaction", key: EventBroker.newKey())
            try await EventBroker.publish([valid, unknown, truncated, after], to: queue)

            let consumer = try Self.consumer(db, queue: queue)
            let summary = try await Waiting.returns("the consumer goes idle", within: .seconds(120)) { try await consumer.consume() }
            #expect(summary.ending == .idle)
            #expect(summary.acknowledged == 4)
            let totals = consumer.stats.totals
            #expect(totals.consumed == 4)
            #expect(totals.parked == 2)
            #expect(totals.applied == 2)
            let payloads = try await db.pool.query("SELECT payload FROM etl_rejects WHERE source = 'fineract-events' ORDER BY reject_id")
                .map { try JSONReader().parse(try $0.decode(String.self, "payload")).objectValue }
            #expect(payloads.map { Data(base64Encoded: $0?["bytes_base64"]?.stringValue ?? "").map { [UInt8]($0) } } == [unknown, truncated])
            #expect(payloads.first??["fingerprint"]?.stringValue != nil)
            // The repayment (Fineract's 9001, a replay of 8001: the record keeps 8001's id) is there once.
            let ids = try await db.pool.query("SELECT repayment_id FROM repayments WHERE loan_id = '42'").map { try $0.decode(String.self, "repayment_id") }
            #expect(ids == ["8001"])
        }
    }

    @Test("killed after the commit and before the acknowledgement: the redelivered messages change nothing")
    func killedBeforeAck() async throws {
        try await TestDatabase.with { db in
            try await EventBroker.holdFixtureLoan(db)
            let queue = EventBroker.uniqueQueue("kill")
            let keys = (0..<5).map { _ in EventBroker.newKey() }
            try await EventBroker.publish(try keys.map { try EventBroker.fixture("message with a bulk payload", key: $0) }, to: queue)

            // The first consumer dies right after each commit: nothing is acknowledged.
            struct Died: Error {}
            let first = try Self.consumer(db, queue: queue) { _ in throw Died() }
            let baseline = try await db.count("SELECT count(*) AS n FROM fineract_event_keys")
            let task = Task { try await first.consume() }
            try await Waiting.until("the first message committed", timeout: .seconds(60)) {
                try await db.count("SELECT count(*) AS n FROM fineract_event_keys") > baseline
            }
            first.stop()
            _ = try await task.value
            #expect(first.stats.totals.consumed == 0)
            let before = try await FineractSyncTests.fingerprint(db)
            let keysBefore = try await db.count("SELECT count(*) AS n FROM fineract_event_keys") - baseline
            #expect(keysBefore >= 1)

            let second = try Self.consumer(db, queue: queue)
            let summary = try await Waiting.returns("the consumer goes idle", within: .seconds(120)) { try await second.consume() }
            #expect(summary.ending == .idle)
            let totals = second.stats.totals
            #expect(totals.consumed == 5)
            #expect(totals.duplicates == keysBefore)
            #expect(totals.applied == 5 - keysBefore)
            #expect(try await FineractSyncTests.fingerprint(db) == before)
            #expect(try await db.count("SELECT count(*) AS n FROM fineract_event_keys") == baseline + 5)
            #expect(try await db.count("SELECT count(*) AS n FROM repayments WHERE loan_id = '42'") == 1)
        }
    }
}
