import AnalyticsTestSupport
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import Stomp

/// The transport against the test run's real ActiveMQ (ACTIVEMQ_STOMP_URL), each test on a queue
/// of its own.
@Suite struct StompBrokerTests {
    @Test func aThousandBinaryMessagesArriveIntactInOrderAndAreAcknowledged() async throws {
        let queue = TestBroker.uniqueQueue("thousand")
        try await TestBroker.publish(0..<1000, to: queue)

        let received = Mutex<[Int]>([])
        let mismatches = Mutex(0)
        let consumer = StompConsumer(configuration: try TestBroker.configuration(),
                                     options: StompConsumerOptions(queue: queue, prefetch: 50, idleTimeout: .seconds(5)),
                                     logger: TestBroker.logger) { message in
            let bytes = message.bodyBytes
            let index = TestBroker.index(of: bytes)
            if bytes != TestBroker.body(index) || message.headers["seq"] != String(index)
                || message.headers["content-length"] != String(bytes.count) {
                mismatches.withLock { $0 += 1 }
            }
            received.withLock { $0.append(index) }
        }
        let summary = try await Waiting.returns("the consumer goes idle", within: .seconds(120)) { try await consumer.consume() }
        #expect(summary.ending == .idle)
        #expect(received.withLock { $0 } == Array(0..<1000))
        #expect(mismatches.withLock { $0 } == 0)
        #expect(summary.received == 1000 && summary.acknowledged == 1000 && summary.failures == 0)
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func messagesNotAcknowledgedBeforeADisconnectAreRedelivered() async throws {
        let queue = TestBroker.uniqueQueue("disconnect")
        try await TestBroker.publish(0..<5, to: queue)
        let configuration = try TestBroker.configuration()
        // First connection: takes all five, acknowledges none, disconnects cleanly (DISCONNECT).
        let first = try await StompConnection.connect(configuration: configuration, logger: TestBroker.logger) { connection in
            let subscription = try await connection.subscribe(to: "/queue/\(queue)", prefetch: 10)
            var indices: [Int] = []
            for try await message in subscription {
                #expect(!message.isRedelivery)
                indices.append(TestBroker.index(of: message.bodyBytes))
                if indices.count == 5 { break }
            }
            return indices
        }
        #expect(first == Array(0..<5))
        // Second connection: the same five again, flagged as redelivered.
        let second = try await StompConnection.connect(configuration: configuration, logger: TestBroker.logger) { connection in
            let subscription = try await connection.subscribe(to: "/queue/\(queue)", prefetch: 10)
            var indices: [Int] = []
            for try await message in subscription {
                #expect(message.isRedelivery)
                #expect(message.bodyBytes == TestBroker.body(TestBroker.index(of: message.bodyBytes)))
                indices.append(TestBroker.index(of: message.bodyBytes))
                try await connection.acknowledge(message, receipt: indices.count == 5)
                if indices.count == 5 { break }
            }
            return indices
        }
        #expect(second.sorted() == Array(0..<5))
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func messagesOfAConnectionThatDiesBeforeAcknowledgingAreRedelivered() async throws {
        struct Crash: Error {}
        let queue = TestBroker.uniqueQueue("killed")
        try await TestBroker.publish(0..<3, to: queue)
        let configuration = try TestBroker.configuration()
        let seen = Mutex<[Int]>([])
        // Throwing out of the connection closes the socket with no DISCONNECT: to the broker, the
        // consumer's connection died.
        await #expect(throws: Crash.self) {
            try await StompConnection.connect(configuration: configuration, logger: TestBroker.logger) { connection in
                let subscription = try await connection.subscribe(to: "/queue/\(queue)", prefetch: 10)
                for try await message in subscription {
                    seen.withLock { $0.append(TestBroker.index(of: message.bodyBytes)) }
                    if seen.withLock({ $0.count }) == 3 { throw Crash() }
                }
            }
        }
        #expect(seen.withLock { $0 } == [0, 1, 2])
        // The broker notices the closed socket on its own time: consume until the three are back.
        let again = Mutex<[Int]>([])
        let box = Mutex<StompConsumer?>(nil)
        let consumer = StompConsumer(configuration: configuration, options: StompConsumerOptions(queue: queue),
                                     logger: TestBroker.logger) { message in
            #expect(message.isRedelivery)
            let count = again.withLock { $0.append(TestBroker.index(of: message.bodyBytes)); return $0.count }
            if count == 3 { box.withLock { $0 }?.stop() }
        }
        box.withLock { $0 = consumer }
        let summary = try await Waiting.returns("the three messages are redelivered", within: .seconds(120)) { try await consumer.consume() }
        #expect(summary.ending == .stopped && summary.acknowledged == 3)
        #expect(again.withLock { $0 }.sorted() == [0, 1, 2])
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func aHandlerErrorLeavesTheMessageForRedelivery() async throws {
        struct TransactionFailed: Error {}
        let queue = TestBroker.uniqueQueue("handler-error")
        try await TestBroker.publish(0..<6, to: queue)
        let deliveries = Mutex<[(index: Int, redelivered: Bool)]>([])
        let failedOnce = Mutex(false)
        var options = StompConsumerOptions(queue: queue, prefetch: 1, idleTimeout: .seconds(5))
        options.reconnect = StompReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200))
        let consumer = StompConsumer(configuration: try TestBroker.configuration(), options: options,
                                     logger: TestBroker.logger) { message in
            let index = TestBroker.index(of: message.bodyBytes)
            deliveries.withLock { $0.append((index, message.isRedelivery)) }
            // The database transaction for message 3 fails once.
            if index == 3, failedOnce.withLock({ failed in defer { failed = true }; return !failed }) {
                throw TransactionFailed()
            }
        }
        let summary = try await Waiting.returns("the consumer goes idle", within: .seconds(120)) { try await consumer.consume() }
        #expect(summary.ending == .idle)
        #expect(summary.handlerFailures == 1 && summary.failures == 1 && summary.connections == 2)
        #expect(summary.acknowledged == 6)
        let seen = deliveries.withLock { $0 }
        #expect(seen.map(\.index).sorted() == [0, 1, 2, 3, 3, 4, 5])
        #expect(Array(seen.prefix(4).map(\.index)) == [0, 1, 2, 3])
        // The second delivery of 3 is flagged as a redelivery, and nothing else is.
        #expect(seen.filter(\.redelivered).map(\.index) == [3])
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func aBatchHandlerGetsTheBacklogInOrderAndAFailedBatchComesBackWhole() async throws {
        struct TransactionFailed: Error {}
        let queue = TestBroker.uniqueQueue("batch")
        try await TestBroker.publish(0..<300, to: queue)
        let batches = Mutex<[[(index: Int, redelivered: Bool)]]>([])
        let failedOnce = Mutex(false)
        var options = StompConsumerOptions(queue: queue, prefetch: 100, maxBatch: 40, idleTimeout: .seconds(5))
        options.reconnect = StompReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(200))
        let consumer = StompConsumer(configuration: try TestBroker.configuration(), options: options,
                                     logger: TestBroker.logger) { (messages: [StompMessage]) in
            let batch = messages.map { (TestBroker.index(of: $0.bodyBytes), $0.isRedelivery) }
            batches.withLock { $0.append(batch) }
            // The transaction of the batch holding message 150 fails once.
            if batch.contains(where: { $0.0 == 150 }), failedOnce.withLock({ failed in defer { failed = true }; return !failed }) {
                throw TransactionFailed()
            }
            // Slower than the broker: the backlog builds up while a batch is handled.
            try await Task.sleep(for: .milliseconds(20))
        }
        let summary = try await Waiting.returns("the consumer goes idle", within: .seconds(120)) { try await consumer.consume() }
        #expect(summary.ending == .idle)
        #expect(summary.handlerFailures == 1 && summary.connections == 2)
        #expect(summary.acknowledged == 300)
        let seen = batches.withLock { $0 }
        #expect(seen.allSatisfy { $0.count <= 40 })
        #expect(seen.contains { $0.count > 1 })
        let failed = try #require(seen.firstIndex { batch in batch.contains { $0.index == 150 } })
        // Before the failure: delivery order, each once. The failed batch comes again whole (with
        // what followed it), flagged as redelivered, then the rest in order.
        let before = seen[..<failed].flatMap { $0.map(\.index) }
        #expect(before == Array(0..<before.count))
        let failedIndices = seen[failed].map(\.index)
        let after = seen[(failed + 1)...].flatMap { $0 }
        #expect(Array(after.prefix(failedIndices.count).map(\.index)) == failedIndices)
        #expect(after.prefix(failedIndices.count).allSatisfy { $0.redelivered })
        // Unsubscribed before closing: the broker puts what was unacknowledged back first, in order.
        #expect(after.map(\.index) == Array((failedIndices.first ?? 0)..<300))
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func ofTwoExclusiveConsumersOneGetsEverythingAndTheOtherTakesOverWhenItStops() async throws {
        let queue = TestBroker.uniqueQueue("exclusive")
        let seen = Mutex<(first: [Int], second: [Int])>(([], []))
        let options = StompConsumerOptions(queue: queue, prefetch: 10, maxBatch: 5, exclusive: true)
        let first = StompConsumer(configuration: try TestBroker.configuration(), options: options,
                                  logger: TestBroker.logger) { (messages: [StompMessage]) in
            seen.withLock { $0.first += messages.map { TestBroker.index(of: $0.bodyBytes) } }
        }
        let second = StompConsumer(configuration: try TestBroker.configuration(), options: options,
                                   logger: TestBroker.logger) { (messages: [StompMessage]) in
            seen.withLock { $0.second += messages.map { TestBroker.index(of: $0.bodyBytes) } }
        }
        async let firstRun = Waiting.returns("the first consumer stops", within: .seconds(120)) { try await first.consume() }
        try await Waiting.until("the first consumer subscribed", timeout: .seconds(60)) { first.summary.connections == 1 }
        async let secondRun = Waiting.returns("the second consumer stops", within: .seconds(120)) { try await second.consume() }
        try await Waiting.until("the second consumer subscribed", timeout: .seconds(60)) { second.summary.connections == 1 }
        try await TestBroker.publish(0..<100, to: queue)
        try await Waiting.until("a hundred messages handled", timeout: .seconds(60)) { seen.withLock { $0.first.count + $0.second.count } == 100 }
        // Both were subscribed: the broker sent everything to the first, in order.
        #expect(seen.withLock { $0.first } == Array(0..<100))
        #expect(seen.withLock { $0.second }.isEmpty)
        first.stop()
        #expect(try await firstRun.ending == .stopped)
        try await TestBroker.publish(100..<150, to: queue)
        try await Waiting.until("the standby took over", timeout: .seconds(60)) { seen.withLock { $0.second.count } == 50 }
        #expect(seen.withLock { $0.second } == Array(100..<150))
        second.stop()
        #expect(try await secondRun.ending == .stopped)
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func aStoppedConsumerAcknowledgesWhatItHandledAndLeavesTheRest() async throws {
        let queue = TestBroker.uniqueQueue("stop")
        try await TestBroker.publish(0..<20, to: queue)
        let handled = Mutex<[Int]>([])
        let box = Mutex<StompConsumer?>(nil)
        let consumer = StompConsumer(configuration: try TestBroker.configuration(),
                                     options: StompConsumerOptions(queue: queue, prefetch: 20),
                                     logger: TestBroker.logger) { message in
            let count = handled.withLock { $0.append(TestBroker.index(of: message.bodyBytes)); return $0.count }
            if count == 7 { box.withLock { $0 }?.stop() }
        }
        box.withLock { $0 = consumer }
        let summary = try await Waiting.returns("the consumer stops", within: .seconds(120)) { try await consumer.consume() }
        #expect(summary.ending == .stopped)
        #expect(handled.withLock { $0 } == Array(0..<7))
        #expect(summary.acknowledged == 7)
        // The 13 others are still there, and only they: the 7 acknowledgements reached the broker
        // before the DISCONNECT receipt.
        let rest = Mutex<[Int]>([])
        let second = StompConsumer(configuration: try TestBroker.configuration(),
                                   options: StompConsumerOptions(queue: queue, idleTimeout: .seconds(5)),
                                   logger: TestBroker.logger) { message in
            rest.withLock { $0.append(TestBroker.index(of: message.bodyBytes)) }
        }
        _ = try await Waiting.returns("the second consumer goes idle", within: .seconds(120)) { try await second.consume() }
        #expect(rest.withLock { $0 } == Array(7..<20))
    }

    @Test func underAServiceGroupAGracefulShutdownStopsTheConsumerCleanly() async throws {
        let queue = TestBroker.uniqueQueue("service")
        try await TestBroker.publish(0..<5, to: queue)
        let handled = Mutex<[Int]>([])
        let consumer = StompConsumer(configuration: try TestBroker.configuration(), options: StompConsumerOptions(queue: queue),
                                     logger: TestBroker.logger) { message in
            handled.withLock { $0.append(TestBroker.index(of: message.bodyBytes)) }
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [consumer], logger: TestBroker.logger))
        async let running: Void = Waiting.returns("the service group ends", within: .seconds(120)) { try await group.run() }
        try await Waiting.until("five messages acknowledged", timeout: .seconds(120)) { consumer.summary.acknowledged == 5 }
        await group.triggerGracefulShutdown()
        try await running
        #expect(consumer.summary.ending == .stopped)
        #expect(handled.withLock { $0 } == Array(0..<5))
        #expect(try await TestBroker.isEmpty(queue))
    }

    @Test func heartBeatsAreNegotiatedAndKeepAnIdleConnectionAlive() async throws {
        var configuration = try TestBroker.configuration()
        configuration.heartBeat = StompHeartBeat(send: .milliseconds(500), receive: .milliseconds(500))
        let queue = TestBroker.uniqueQueue("heartbeat")
        try await StompConnection.connect(configuration: configuration, logger: TestBroker.logger) { connection in
            let session = try #require(connection.session)
            #expect(session.server?.hasPrefix("ActiveMQ") == true)
            #expect(session.sendInterval != nil && session.expectInterval != nil)
            #expect(session.expectInterval.map { $0 >= .milliseconds(500) } == true)
            // Nothing but heart-beats for several intervals: the broker keeps sending its own, and
            // ours keep it from closing the connection (it would after 1.5 intervals of silence).
            try await Waiting.until("the broker sent six heart-beats", timeout: .seconds(60)) { connection.heartbeatsReceived >= 6 }
            try await connection.send(to: "/queue/\(queue)", bytes: [1, 2, 3])
        }
        #expect(try await TestBroker.isEmpty(queue) == false)
    }

    @Test func aBrokerErrorFrameBecomesATypedError() async throws {
        let configuration = try TestBroker.configuration()
        await #expect {
            try await StompConnection.connect(configuration: configuration, logger: TestBroker.logger) { connection in
                _ = try await connection.subscribe(to: "/queue/\(TestBroker.uniqueQueue("error"))")
                // An ACK for a message this connection never received.
                var headers = StompHeaders()
                headers.append("id", "no-such-message")
                try await connection.sendExpectingReceipt(StompFrame(.ack, headers: headers))
            }
        } throws: { error in
            guard let error = error as? StompError else { return false }
            return error.code == .broker && error.description.contains("ACK") && !error.description.contains("at org.apache")
        }
    }

    @Test func nothingListeningIsAConnectionFailure() async throws {
        let port = Int(try await ServerScript.run(["free-port"])) ?? 1
        var configuration = StompConfiguration(host: "127.0.0.1", port: port)
        configuration.connectTimeout = .seconds(2)
        await #expect {
            try await StompConnection.connect(configuration: configuration, logger: TestBroker.logger) { _ in }
        } throws: { error in
            (error as? StompError)?.code == .connectionFailed
        }
    }
}
