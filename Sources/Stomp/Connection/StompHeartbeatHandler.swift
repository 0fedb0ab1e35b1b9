import NIOCore

/// Watches the raw bytes of a connection, first in the pipeline (next to the socket).
///
/// Until `start` it only enforces the handshake timeout: no byte from the broker within it closes
/// the connection with `handshakeTimeout`. After `start` (called with the negotiated intervals) it
/// closes the connection with `heartbeatTimeout` when the broker has sent nothing for `expect` ×
/// tolerance, and writes an EOL whenever we have written nothing for half the `send` interval, so
/// the gap the broker sees never exceeds it. Event-loop confined, like every handler.
final class StompHeartbeatHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var lastRead = NIODeadline.now()
    private var lastWrite = NIODeadline.now()
    private var readTimeout: TimeAmount?
    private var timeoutError: StompError
    private var sendEvery: TimeAmount?
    private var tick: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    /// A handler that allows `handshakeTimeout` for the broker's first bytes.
    init(handshakeTimeout: TimeAmount) {
        readTimeout = handshakeTimeout
        timeoutError = StompError(code: .handshakeTimeout,
                                  message: "the message broker accepted the connection but did not answer CONNECT in time; check that the port is its STOMP connector")
    }

    /// Switches to the negotiated heart-beats (nil: none in that direction).
    func start(send: TimeAmount?, expect: TimeAmount?, tolerance: Double) {
        sendEvery = send
        readTimeout = expect.map { TimeAmount.nanoseconds(Int64(Double($0.nanoseconds) * max(tolerance, 1))) }
        timeoutError = StompError(code: .heartbeatTimeout,
                                  message: "the message broker sent nothing, not even a heart-beat, for longer than the negotiated interval; the connection is treated as dead and reopened")
        lastRead = .now()
        guard let context else { return }
        tick?.cancel()
        scheduleTick(context)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { scheduleTick(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        lastRead = .now()
        lastWrite = .now()
        scheduleTick(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        tick?.cancel()
        tick = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        tick?.cancel()
        tick = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastWrite = .now()
        context.write(data, promise: promise)
    }

    /// The period of the checks: half the shorter interval, at least 10 ms.
    private var tickPeriod: TimeAmount? {
        let periods = [readTimeout, sendEvery].compactMap { $0 }.map { TimeAmount.nanoseconds(max($0.nanoseconds / 2, 10_000_000)) }
        return periods.min()
    }

    private func scheduleTick(_ context: ChannelHandlerContext) {
        guard let period = tickPeriod else { return }
        tick?.cancel()
        tick = context.eventLoop.assumeIsolated().scheduleTask(in: period) {
            self.onTick(context)
        }
    }

    private func onTick(_ context: ChannelHandlerContext) {
        tick = nil
        guard context.channel.isActive else { return }
        let now = NIODeadline.now()
        if let readTimeout, now - lastRead > readTimeout {
            context.fireErrorCaught(timeoutError)
            context.close(promise: nil)
            return
        }
        if let sendEvery, now - lastWrite >= TimeAmount.nanoseconds(sendEvery.nanoseconds / 2) {
            var eol = context.channel.allocator.buffer(capacity: 1)
            eol.writeInteger(UInt8(ascii: "\n"))
            lastWrite = now
            context.writeAndFlush(wrapOutboundOut(eol), promise: nil)
        }
        scheduleTick(context)
    }
}
