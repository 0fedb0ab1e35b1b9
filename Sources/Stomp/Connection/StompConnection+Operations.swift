import NIOCore
import Synchronization

extension StompConnection {
    /// Subscribes to `destination` (e.g. `/queue/fineract-events`) and returns once the broker
    /// confirmed it (a RECEIPT). `prefetch` becomes ActiveMQ's `activemq.prefetchSize`: at most
    /// that many unacknowledged messages are in flight to this subscription. `headers` are added
    /// to the SUBSCRIBE frame.
    public func subscribe(to destination: String, ack: StompAckMode = .clientIndividual, prefetch: Int? = nil,
                          headers: StompHeaders = [:]) async throws -> StompSubscription {
        let (stream, continuation) = AsyncThrowingStream<StompMessage, any Error>.makeStream()
        let id = try state.withLock { state throws(StompError) -> String in
            if let failure = state.failure { throw failure }
            state.nextID += 1
            let id = "sub-\(state.nextID)"
            state.subscriptions[id] = continuation
            return id
        }
        var frameHeaders: StompHeaders = ["id": id, "destination": destination, "ack": ack.rawValue]
        if let prefetch { frameHeaders["activemq.prefetchSize"] = String(prefetch) }
        for (name, value) in headers { frameHeaders.append(name, value) }
        do {
            try await sendExpectingReceipt(StompFrame(.subscribe, headers: frameHeaders))
        } catch {
            state.withLock { $0.subscriptions.removeValue(forKey: id) }?.finish(throwing: error)
            throw error
        }
        return StompSubscription(id: id, destination: destination, stream: stream)
    }

    /// Ends a subscription: UNSUBSCRIBE, confirmed by a RECEIPT. Its unacknowledged messages go
    /// back to the queue; its sequence ends.
    public func unsubscribe(_ subscription: StompSubscription) async throws {
        try await sendExpectingReceipt(StompFrame(.unsubscribe, headers: ["id": subscription.id]))
        state.withLock { $0.subscriptions.removeValue(forKey: subscription.id) }?.finish()
    }

    /// Acknowledges one message (ACK with its `ack` id). With `receipt`, returns once the broker
    /// confirmed it; otherwise once the frame is written (the broker processes frames in order, so
    /// a later RECEIPT, such as DISCONNECT's, confirms it as well).
    public func acknowledge(_ message: StompMessage, receipt: Bool = false) async throws {
        let frame = StompFrame(.ack, headers: ["id": message.ackID])
        if receipt { try await sendExpectingReceipt(frame) } else { try await write(frame) }
    }

    /// Rejects one message (NACK). ActiveMQ 5 does not redeliver a NACKed message: it moves it
    /// to the dead-letter queue (`ActiveMQ.DLQ` unless configured otherwise). To have a message
    /// redelivered, leave it unacknowledged and close the connection instead (`StompConsumer`
    /// does this when its handler throws).
    public func reject(_ message: StompMessage, receipt: Bool = false) async throws {
        let frame = StompFrame(.nack, headers: ["id": message.ackID])
        if receipt { try await sendExpectingReceipt(frame) } else { try await write(frame) }
    }

    /// Sends `body` to `destination` (SEND with `content-length`, which ActiveMQ turns into a JMS
    /// BytesMessage). `persistent` asks the broker to store it before confirming; with `receipt`
    /// the call returns once the broker has it. `headers` are added (JMS properties).
    public func send(to destination: String, body: ByteBuffer, headers: StompHeaders = [:], persistent: Bool = true,
                     receipt: Bool = true) async throws {
        var frameHeaders: StompHeaders = ["destination": destination, "content-length": String(body.readableBytes)]
        if persistent { frameHeaders["persistent"] = "true" }
        for (name, value) in headers { frameHeaders[name] = value }
        let frame = StompFrame(.send, headers: frameHeaders, body: body)
        if receipt { try await sendExpectingReceipt(frame) } else { try await write(frame) }
    }

    /// `send(to:body:headers:persistent:receipt:)` with the body as bytes.
    public func send(to destination: String, bytes: some Sequence<UInt8>, headers: StompHeaders = [:], persistent: Bool = true,
                     receipt: Bool = true) async throws {
        try await send(to: destination, body: ByteBuffer(bytes: bytes), headers: headers, persistent: persistent, receipt: receipt)
    }

    /// Writes one frame; throws the connection's error once it has failed.
    func write(_ frame: StompFrame) async throws {
        if let failure = state.withLock({ $0.failure }) { throw failure }
        do {
            try await channel.writeAndFlush(frame)
        } catch {
            throw state.withLock { $0.failure } ?? StompError.connectionClosed("while sending", underlying: error)
        }
    }

    /// Writes `frame` with a fresh `receipt` header and waits for that RECEIPT (at most the
    /// configured receipt timeout, then `receiptTimeout`).
    func sendExpectingReceipt(_ frame: StompFrame) async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let registered: Result<String, StompError> = state.withLock { state in
            if let failure = state.failure { return .failure(failure) }
            state.nextID += 1
            let id = "receipt-\(state.nextID)"
            state.receipts[id] = promise
            return .success(id)
        }
        let id: String
        switch registered {
        case .success(let value): id = value
        case .failure(let error):
            promise.fail(error)
            throw error
        }
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(configuration.receiptTimeout)) { [self] in
            let command = frame.command.rawValue
            state.withLock { $0.receipts.removeValue(forKey: id) }?.fail(StompError(
                code: .receiptTimeout, message: "the message broker did not confirm a \(command) in time; it is retried on a new connection"))
        }
        defer { timeout.cancel() }
        var frame = frame
        frame.headers["receipt"] = id
        do {
            try await write(frame)
        } catch {
            state.withLock { $0.receipts.removeValue(forKey: id) }?.fail(error)
            throw error
        }
        try await promise.futureResult.get()
    }
}
