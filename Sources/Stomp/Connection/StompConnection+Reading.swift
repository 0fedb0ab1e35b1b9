import Logging
import NIOCore
import Synchronization

extension StompConnection {
    /// Reads until the connection ends, routing each frame; then fails whatever still waits.
    func read(_ inbound: NIOAsyncChannelInboundStream<StompInbound>) async {
        do {
            for try await item in inbound {
                try dispatch(item)
            }
            let closing = state.withLock { $0.closing }
            if !closing { logger.warning("stomp connection closed by the broker") }
            fail(StompError.connectionClosed("(the broker closed it)"))
        } catch let error as StompError {
            logger.warning("stomp connection failed", metadata: ["error": "\(error)", "stomp.error_code": "\(error.code)"])
            fail(error)
            channel.close(promise: nil)
        } catch {
            let closing = state.withLock { $0.closing }
            if !closing && !(error is CancellationError) {
                logger.warning("stomp connection failed", metadata: ["error": "\(error)"])
            }
            fail(StompError.connectionClosed("(reading failed)", underlying: error))
            channel.close(promise: nil)
        }
    }

    private func dispatch(_ item: StompInbound) throws(StompError) {
        guard case .frame(let frame) = item else {
            state.withLock { $0.heartbeatsReceived += 1 }
            return
        }
        switch frame.command {
        case .message:
            guard let message = StompMessage(frame: frame) else {
                throw StompError(code: .protocolViolation, message: "the message broker sent a MESSAGE without a subscription header")
            }
            let continuation = state.withLock { $0.subscriptions[message.subscription] }
            if let continuation {
                continuation.yield(message)
            } else {
                // A message for a subscription just closed: unacknowledged, so it is redelivered.
                logger.debug("stomp message for a closed subscription", metadata: ["stomp.subscription": "\(message.subscription)"])
            }
        case .receipt:
            guard let id = frame.headers["receipt-id"] else {
                throw StompError(code: .protocolViolation, message: "the message broker sent a RECEIPT without a receipt-id")
            }
            state.withLock { $0.receipts.removeValue(forKey: id) }?.succeed()
        case .connected:
            guard let promise = state.withLock({ state -> EventLoopPromise<StompFrame>? in
                defer { state.connected = nil }
                return state.connected
            }) else {
                throw StompError(code: .protocolViolation, message: "the message broker sent CONNECTED twice")
            }
            promise.succeed(frame)
        case .error:
            throw StompError.broker(message: frame.headers["message"], redacting: configuration.secrets)
        default:
            throw StompError(code: .protocolViolation, message: "the message broker sent a \(frame.command.rawValue) frame, which only clients send")
        }
    }
}
