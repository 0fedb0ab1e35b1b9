import ArgumentParser
import FineractEvents
import Foundation
import Stomp
import Synchronization

/// Consumes the queue until it has been idle for a while, decoding every message as the consumer
/// would (MessageV1, then its data by fingerprint), and checks the count: the publishing side
/// verified on its own (`scripts/bench-events.sh --publish-only`).
struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain", abstract: "Consume and decode every message of the queue; fail unless there are --expect of them.")

    @Option(help: "How many messages the queue must hold.") var expect: Int
    @Option(help: "Seconds of quiet that end the drain.") var idleSeconds: Int = 5

    struct Tally: Sendable {
        var messages = 0
        var undecodable = 0
        var keys = Set<String>()
        var types: [String: Int] = [:]
    }

    func run() async throws {
        let broker = try BrokerSettings(environment: ProcessInfo.processInfo.environment)
        let registry = try AvroSchemaRegistry.fineract()
        let tally = Mutex(Tally())
        // Batches and acknowledgements as the consumer takes them (FINERACT_EVENTS_BATCH's default).
        let consumer = StompConsumer(configuration: broker.configuration,
                                     options: StompConsumerOptions(queue: broker.queue, prefetch: 4_000, maxBatch: 2_000,
                                                                   idleTimeout: .seconds(idleSeconds)),
                                     logger: BrokerSettings.logger) { (messages: [StompMessage]) in
            for message in messages {
                let decoded = try? registry.decodeSingleObject(message.bodyBytes)
                let record = decoded?.value.recordValue
                let data = (record?["data"]?.bytesValue).flatMap { try? registry.decodeSingleObject($0) }
                tally.withLock { tally in
                    tally.messages += 1
                    guard let record, let data, data.entry.name == record["dataschema"]?.stringValue,
                          let key = record["idempotencyKey"]?.stringValue else {
                        tally.undecodable += 1
                        return
                    }
                    tally.keys.insert(key)
                    tally.types[record["type"]?.stringValue ?? "?", default: 0] += 1
                }
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let summary = try await consumer.consume()
        let elapsed = clock.now - start
        let result = tally.withLock { $0 }
        print("drained \(result.messages) messages in \(elapsed) (\(summary.ending)): \(result.undecodable) undecodable, "
            + "\(result.keys.count) distinct idempotency keys, types \(result.types)")
        guard result.messages == expect, result.undecodable == 0, result.keys.count == expect else {
            throw ValidationError("the queue held \(result.messages) messages (\(result.undecodable) undecodable), expected \(expect) decodable ones with distinct keys")
        }
    }
}
