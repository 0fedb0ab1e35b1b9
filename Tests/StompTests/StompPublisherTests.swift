import AnalyticsTestSupport
import Synchronization
import Testing

@testable import Stomp

/// The publisher the tests and the events benchmark use to play Fineract's JMS producer, against
/// the test run's ActiveMQ.
@Suite struct StompPublisherTests {
    @Test func publishedMessagesArriveAsSentBytesAsBytesMessages() async throws {
        let queue = TestBroker.uniqueQueue("publisher")
        // Binary bodies with NULs, one empty, one larger than a batch of headers.
        let bodies: [[UInt8]] = [[0xC3, 0x01, 0, 0, 0xFF, 0x00, 10], [], (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }]
        let publisher = StompPublisher(configuration: try TestBroker.configuration(), queue: queue, batchSize: 2, logger: TestBroker.logger)
        #expect(try await publisher.publish(bodies) == 3)

        let received = Mutex<[[UInt8]]>([])
        let persistent = Mutex<[String?]>([])
        let consumer = StompConsumer(configuration: try TestBroker.configuration(),
                                     options: StompConsumerOptions(queue: queue, prefetch: 10, idleTimeout: .seconds(3)),
                                     logger: TestBroker.logger) { message in
            received.withLock { $0.append(message.bodyBytes) }
            persistent.withLock { $0.append(message.headers["persistent"]) }
        }
        let summary = try await Waiting.returns("the consumer goes idle", within: .seconds(120)) { try await consumer.consume() }
        #expect(summary.ending == .idle)
        #expect(received.withLock { $0 } == bodies)
        #expect(persistent.withLock { $0 } == ["true", "true", "true"])
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func aSessionSendsOneMessageAtATimeEachConfirmed() async throws {
        let queue = TestBroker.uniqueQueue("publisher-session")
        let publisher = StompPublisher(configuration: try TestBroker.configuration(), queue: "/queue/\(queue)", logger: TestBroker.logger)
        try await publisher.withSession { session in
            for index in 0..<3 { try await session.send(TestBroker.body(index)) }
        }
        let received = Mutex<[[UInt8]]>([])
        let consumer = StompConsumer(configuration: try TestBroker.configuration(),
                                     options: StompConsumerOptions(queue: queue, prefetch: 10, idleTimeout: .seconds(3)),
                                     logger: TestBroker.logger) { message in
            received.withLock { $0.append(message.bodyBytes) }
        }
        _ = try await Waiting.returns("the consumer goes idle", within: .seconds(120)) { try await consumer.consume() }
        #expect(received.withLock { $0 } == (0..<3).map(TestBroker.body))
    }
}
