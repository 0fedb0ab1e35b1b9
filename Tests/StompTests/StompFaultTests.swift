import AnalyticsTestSupport
import Synchronization
import Testing

@testable import Stomp

/// The transport when the broker itself fails: restarted or killed mid-stream (persistent
/// messages must all arrive), or frozen (the heart-beats must notice). Each test starts a broker
/// of its own, so the shared one stays up for the other suites.
@Suite struct StompFaultTests {
    @Test func aBrokerRestartedAndKilledMidStreamLosesNothing() async throws {
        try await LocalActiveMQ.with { broker in
            let queue = TestBroker.uniqueQueue("restart")
            try await TestBroker.publish(0..<300, to: queue, url: broker.url)

            let handled = Mutex<Set<Int>>([])
            let deliveries = Mutex(0)
            var configuration = try TestBroker.configuration(url: broker.url)
            configuration.connectTimeout = .seconds(5)
            var options = StompConsumerOptions(queue: queue, prefetch: 20)
            options.reconnect = StompReconnectPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1))
            let consumer = StompConsumer(configuration: configuration, options: options, logger: TestBroker.logger) { message in
                deliveries.withLock { $0 += 1 }
                handled.withLock { _ = $0.insert(TestBroker.index(of: message.bodyBytes)) }
                // Slow enough that the restarts land mid-stream.
                try await Task.sleep(for: .milliseconds(5))
            }
            try await withThrowingTaskGroup(of: StompConsumerSummary.self) { group in
                group.addTask { try await consumer.consume() }

                try await Waiting.until("50 messages handled", timeout: .seconds(120)) { handled.withLock { $0.count } >= 50 }
                try await broker.restart()
                try await TestBroker.publish(300..<400, to: queue, url: broker.url)

                try await Waiting.until("200 messages handled", timeout: .seconds(120)) { handled.withLock { $0.count } >= 200 }
                try await broker.kill()
                try await broker.startAgain()
                try await TestBroker.publish(400..<500, to: queue, url: broker.url)

                try await Waiting.until("all 500 handled", timeout: .seconds(120)) { handled.withLock { $0.count } == 500 }
                consumer.stop()
                let summary = try #require(try await group.next())
                #expect(summary.ending == .stopped)
                #expect(summary.connections >= 3)
                #expect(summary.failures >= 2)
            }
            #expect(handled.withLock { $0 } == Set(0..<500))
            // Redelivery after a failure may repeat a message (at least once), never skip one.
            #expect(deliveries.withLock { $0 } >= 500)
            #expect(try await TestBroker.isEmpty(queue, url: broker.url))
        }
    }

    @Test func aBrokerThatGoesSilentIsDetectedByHeartBeats() async throws {
        try await LocalActiveMQ.with { broker in
            var configuration = try TestBroker.configuration(url: broker.url)
            configuration.heartBeat = StompHeartBeat(send: .seconds(1), receive: .seconds(1))
            let queue = TestBroker.uniqueQueue("silent")
            await #expect {
                try await StompConnection.connect(configuration: configuration, logger: TestBroker.logger) { connection in
                    let subscription = try await connection.subscribe(to: "/queue/\(queue)")
                    try await Waiting.until("a heart-beat arrived", timeout: .seconds(120)) { connection.heartbeatsReceived >= 1 }
                    // The host stops answering; TCP alone would not notice for minutes.
                    try broker.pause()
                    for try await _ in subscription {}
                }
            } throws: { error in
                (error as? StompError)?.code == .heartbeatTimeout
            }
            broker.resume()
        }
    }

    @Test func aConsumerWaitsForABrokerThatIsNotUpYet() async throws {
        try await LocalActiveMQ.with { broker in
            let queue = TestBroker.uniqueQueue("late")
            // Published before the broker goes down (persistent), so they are there as soon as the
            // consumer gets through and it cannot go idle before them.
            try await TestBroker.publish(0..<10, to: queue, url: broker.url)
            try await broker.stop()
            let handled = Mutex<[Int]>([])
            var options = StompConsumerOptions(queue: queue, idleTimeout: .seconds(5))
            options.reconnect = StompReconnectPolicy(initialDelay: .milliseconds(50), maxDelay: .milliseconds(500))
            let consumer = StompConsumer(configuration: try TestBroker.configuration(url: broker.url), options: options,
                                         logger: TestBroker.logger) { message in
                handled.withLock { $0.append(TestBroker.index(of: message.bodyBytes)) }
            }
            try await withThrowingTaskGroup(of: StompConsumerSummary.self) { group in
                group.addTask { try await consumer.consume() }
                try await Waiting.until("the consumer failed to connect twice", timeout: .seconds(120)) { consumer.summary.failures >= 2 }
                try await broker.startAgain()
                let summary = try #require(try await group.next())
                #expect(summary.ending == .idle)
            }
            #expect(handled.withLock { $0 } == Array(0..<10))
        }
    }
}
