import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import FineractEvents
import Foundation
@testable import MetricsWorker
import Stomp
import Testing

/// The consumer with a broker of the test's own, restarted mid-stream (the test script's second
/// phase, with the other fault suites).
@Suite("consume-fineract-events: broker faults")
struct FineractEventFaultTests {
    @Test("the broker restarted mid-stream: nothing lost, nothing applied twice")
    func brokerRestart() async throws {
        try await LocalActiveMQ.with { broker in
            try await TestDatabase.with { db in
                try await EventBroker.holdFixtureLoan(db)
                let queue = EventBroker.uniqueQueue("restart")
                let keys = (0..<200).map { _ in EventBroker.newKey() }
                try await EventBroker.publish(try keys.map { try EventBroker.fixture("message with a loan transaction", key: $0) },
                                              to: queue, url: broker.url)
                let consumer = try FineractEventBrokerTests.consumer(db, queue: queue, url: broker.url, idle: .seconds(5))
                let task = Task { try await consumer.consume() }
                try await Waiting.until("a first part is applied", timeout: .seconds(120)) { consumer.stats.totals.applied >= 20 }
                try await broker.restart()
                let summary = try await task.value
                #expect(summary.ending == .idle)
                #expect(summary.connections >= 2)
                let totals = consumer.stats.totals
                #expect(totals.applied == 200)
                #expect(totals.applied + totals.duplicates == totals.consumed)
                let stored = Set(try await db.pool.query("SELECT idempotency_key FROM fineract_event_keys")
                    .map { try $0.decode(String.self, "idempotency_key") })
                #expect(stored.isSuperset(of: keys))
                #expect(try await db.count("SELECT count(*) AS n FROM repayments WHERE loan_id = '42'") == 1)
            }
        }
    }
}
