import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Consumes one queue with a handler, acknowledging each message only after the handler returned.
///
/// It connects, subscribes with `ack:client` (cumulative) and the configured prefetch, and calls
/// the handler in delivery order: with one message, or (`handleBatch:`) with every message
/// received and not yet handled, up to `StompConsumerOptions.maxBatch` (it never waits for a batch
/// to fill, so a quiet stream gets batches of one). With `prepareBatch:` the handling has two
/// stages: while one batch commits, the messages that arrived meanwhile are prepared (read and
/// planned) as the next batch, which is committed only after the previous one is acknowledged.
/// When a batch's handler (or commit) returns, its messages are acknowledged: one ACK of the last
/// one's `ack` id, which acknowledges it and every message delivered before it on the
/// subscription, that is exactly the messages handled (the broker's cost per batch, not per
/// message); when it throws, they stay unacknowledged (with the batch prepared after them) and the
/// connection is closed, so the broker redelivers them (and every later unacknowledged one) on the
/// next connection: the handler must be idempotent (at-least-once delivery). A lost connection,
/// an ERROR frame or a silent broker (heart-beats) also closes it; each failure is followed by a
/// jittered, bounded backoff (`StompReconnectPolicy`) and a new connection and subscription.
///
/// Runs under ServiceLifecycle (`run()`, graceful shutdown finishes the current message, acknowledges
/// it and disconnects), or directly with `consume()`, which also returns after
/// `StompConsumerOptions.idleTimeout` of quiet (catch-up runs). One consumer runs once.
public struct StompConsumer: Service {
    /// The broker.
    public let configuration: StompConfiguration
    /// The queue and how to consume it.
    public let options: StompConsumerOptions
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let prepare: @Sendable ([StompMessage], (any StompPreparedBatch)?) async throws -> any StompPreparedBatch
    private let control = StompConsumerControl()

    /// A consumer of `options.queue` on the broker of `configuration` that passes each message to
    /// `handler`.
    public init(configuration: StompConfiguration, options: StompConsumerOptions,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
                handler: @escaping @Sendable (StompMessage) async throws -> Void) {
        self.init(configuration: configuration, options: options, eventLoopGroup: eventLoopGroup, logger: logger) { messages in
            for message in messages { try await handler(message) }
        }
    }

    /// A consumer of `options.queue` that passes the messages received so far, up to
    /// `options.maxBatch` at a time and in delivery order, to `handleBatch` (one transaction for
    /// many messages); they are acknowledged together once it returns.
    public init(configuration: StompConfiguration, options: StompConsumerOptions,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
                handleBatch handler: @escaping @Sendable ([StompMessage]) async throws -> Void) {
        self.init(configuration: configuration, options: options, eventLoopGroup: eventLoopGroup, logger: logger) { messages, _ in
            StompDeferredBatch { try await handler(messages) }
        }
    }

    /// A consumer of `options.queue` in two stages: `prepareBatch` gets the messages received so
    /// far (up to `options.maxBatch`, in delivery order) and the batch still committing before
    /// them, if any (nil when everything before them is acknowledged); the batch it returns is
    /// committed after that one, and acknowledged once its `commit()` returns.
    public init(configuration: StompConfiguration, options: StompConsumerOptions,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
                prepareBatch: @escaping @Sendable (_ messages: [StompMessage], _ committing: (any StompPreparedBatch)?) async throws
                    -> any StompPreparedBatch) {
        self.configuration = configuration
        self.options = options
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "stomp.destination"] = "\(options.destination)"
        self.logger = logger
        self.prepare = prepareBatch
    }

    /// Consumes until a graceful shutdown (ServiceLifecycle), `stop()`, cancellation or the idle
    /// timeout.
    public func run() async throws {
        _ = try await withGracefulShutdownHandler {
            try await consume()
        } onGracefulShutdown: {
            stop()
        }
    }

    /// Asks the consumer to finish the message (or batch) in hand, acknowledge it, disconnect and return.
    public func stop() { control.stop() }

    /// The counts so far.
    public var summary: StompConsumerSummary { control.summary }

    /// Consumes and returns why and after what it ended. Throws only when
    /// `StompReconnectPolicy.maxAttempts` consecutive failures happened (the last error).
    public func consume() async throws -> StompConsumerSummary {
        while true {
            if control.isStopped { return control.finish(.stopped) }
            if Task.isCancelled { return control.finish(.cancelled) }
            do {
                let ending = try await StompConnection.connect(configuration: configuration, eventLoopGroup: eventLoopGroup,
                                                               logger: logger) { connection in
                    try await session(on: connection)
                }
                if ending != .running { return control.finish(ending) }
            } catch {
                if control.isStopped { return control.finish(.stopped) }
                if Task.isCancelled { return control.finish(.cancelled) }
                let failures = control.recordFailure()
                if let maxAttempts = options.reconnect.maxAttempts, failures >= maxAttempts {
                    logger.error("stomp consumer gives up", metadata: ["error": "\(error)", "stomp.failures": "\(failures)"])
                    _ = control.finish(.stopped)
                    throw error
                }
                let delay = options.reconnect.delay(afterFailures: failures)
                logger.warning("stomp consumer reconnects", metadata: [
                    "error": "\(error)", "stomp.failures": "\(failures)",
                    "stomp.retry_in_ms": "\(StompHeartBeat.milliseconds(delay))",
                ])
                await control.sleep(for: delay)
            }
        }
    }

    private enum Event: Sendable {
        /// A message was added to the session's inbox.
        case received
        case idle
        case stop
        case failed(any Error)
    }

    /// One connection's work: subscribe, then handle and acknowledge until idle, stop or failure.
    private func session(on connection: StompConnection) async throws -> StompConsumerSummary.Ending {
        let subscription = try await connection.subscribe(to: options.destination, ack: .client, prefetch: options.prefetch,
                                                          headers: options.exclusive ? ["activemq.exclusive": "true"] : [:])
        control.recordConnection()
        logger.info("stomp consumer subscribed", metadata: ["stomp.prefetch": "\(options.prefetch)"])
        let (events, continuation) = AsyncStream<Event>.makeStream()
        guard let stopToken = control.onStop({ continuation.yield(.stop) }) else { return .stopped }
        defer { control.removeStopHandler(stopToken) }
        let idle = StompIdleClock()
        let inbox = StompInbox()
        return try await withThrowingTaskGroup(of: Void.self, returning: StompConsumerSummary.Ending.self) { group in
            group.addTask {
                do {
                    for try await message in subscription {
                        idle.touch()
                        inbox.append(message)
                        continuation.yield(.received)
                    }
                    continuation.yield(.failed(StompError.connectionClosed("(the subscription ended)")))
                } catch {
                    continuation.yield(.failed(error))
                }
            }
            if let timeout = options.idleTimeout {
                group.addTask { await idle.watch(timeout: timeout) { continuation.yield(.idle) } }
            }
            defer { group.cancelAll() }
            do {
                let ending = try await next(from: events, inbox: inbox, on: connection, idle: idle)
                await release(subscription, on: connection)
                return ending
            } catch {
                await release(subscription, on: connection)
                throw error
            }
        }
    }

    /// Handles events until the session ends.
    private func next(from events: AsyncStream<Event>, inbox: StompInbox, on connection: StompConnection,
                      idle: StompIdleClock) async throws -> StompConsumerSummary.Ending {
        for await event in events {
            switch event {
            case .received:
                // Stopping: what was delivered and not handled stays unacknowledged (redelivered).
                if control.isStopped { return .stopped }
                // One signal per message: a signal whose message an earlier batch took finds none.
                let batch = inbox.take(upTo: options.maxBatch)
                guard !batch.isEmpty else { continue }
                try await handle(from: batch, inbox: inbox, on: connection, idle: idle)
                idle.touch()
            case .idle:
                if let timeout = options.idleTimeout, idle.isIdle(for: timeout) {
                    logger.info("stomp consumer idle", metadata: ["stomp.idle_ms": "\(StompHeartBeat.milliseconds(timeout))"])
                    return .idle
                }
            case .stop:
                return .stopped
            case .failed(let error):
                throw error
            }
        }
        return Task.isCancelled ? .cancelled : .stopped
    }

    /// Ends the subscription before the connection, so that the broker puts its unacknowledged
    /// messages back in the queue before it confirms (a RECEIPT), not whenever it notices the
    /// closed socket: the next connection then gets them first and in order. Best effort: on a
    /// broken connection the broker does the same once it notices.
    private func release(_ subscription: StompSubscription, on connection: StompConnection) async {
        do {
            try await connection.unsubscribe(subscription)
        } catch {
            logger.debug("stomp unsubscribe failed", metadata: ["error": "\(error)"])
        }
    }

    /// Prepares `first`, then commits and acknowledges each prepared batch while the messages
    /// that arrived meanwhile are prepared as the next one, until none are waiting (or stopping).
    /// A failure propagates after the batch committing has finished: its messages, and those of a
    /// batch prepared after it, stay unacknowledged and the session ends.
    private func handle(from first: [StompMessage], inbox: StompInbox, on connection: StompConnection,
                        idle: StompIdleClock) async throws {
        var current = (messages: first, batch: try await prepared(first, committing: nil))
        while true {
            let committing = current
            async let committed: Void = commit(committing.batch, of: committing.messages)
            var next: Result<(messages: [StompMessage], batch: any StompPreparedBatch)?, any Error> = .success(nil)
            if !control.isStopped {
                let messages = inbox.take(upTo: options.maxBatch)
                if !messages.isEmpty {
                    do {
                        next = .success((messages, try await prepared(messages, committing: committing.batch)))
                    } catch {
                        next = .failure(error)
                    }
                }
            }
            try await committed
            // Cumulative: the last one acknowledges the batch and everything handled before it.
            if let last = committing.messages.last {
                try await connection.acknowledge(last)
                control.recordAcknowledged(committing.messages.count)
            }
            idle.touch()
            guard let following = try next.get() else { return }
            // Stopping: a batch prepared while the last one committed is left unacknowledged.
            if control.isStopped { return }
            current = following
        }
    }

    private func prepared(_ messages: [StompMessage], committing: (any StompPreparedBatch)?) async throws -> any StompPreparedBatch {
        control.recordReceived(messages.count)
        do {
            return try await prepare(messages, committing)
        } catch {
            failed(error, messages)
            throw error
        }
    }

    private func commit(_ batch: any StompPreparedBatch, of messages: [StompMessage]) async throws {
        do {
            try await batch.commit()
        } catch {
            failed(error, messages)
            throw error
        }
    }

    private func failed(_ error: any Error, _ messages: [StompMessage]) {
        control.recordHandlerFailure()
        logger.error("stomp message handler failed; its messages are left unacknowledged for redelivery", metadata: [
            "error": "\(error)", "stomp.message_id": "\(messages.first?.messageID ?? "")", "stomp.batch": "\(messages.count)",
        ])
    }
}
