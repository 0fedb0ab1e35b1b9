import NIOCore

/// Starts the negotiated heart-beats the moment CONNECTED is decoded, on the event loop.
///
/// Doing it here rather than in the task that awaits CONNECTED matters on a busy machine: the
/// broker expects our first heart-beat within its interval (ActiveMQ closes the connection after
/// 1.5 intervals of silence), and the task may not run again before that.
final class StompConnectedHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = StompInbound
    typealias InboundOut = StompInbound

    private let offered: StompHeartBeat
    private let tolerance: Double
    private let heartbeat: StompHeartbeatHandler
    private var started = false

    /// A handler that starts `heartbeat` with what `offered` and the broker's CONNECTED agree.
    init(offered: StompHeartBeat, tolerance: Double, heartbeat: StompHeartbeatHandler) {
        self.offered = offered
        self.tolerance = tolerance
        self.heartbeat = heartbeat
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !started, case .frame(let frame) = unwrapInboundIn(data), frame.command == .connected {
            started = true
            // A malformed header is reported by the connection, which reads the same frame.
            if let broker = StompHeartBeat(headerValue: frame.headers["heart-beat"] ?? "0,0") {
                let agreed = StompHeartBeat.negotiate(client: offered, server: broker)
                heartbeat.start(send: agreed.send.map { TimeAmount($0) }, expect: agreed.expect.map { TimeAmount($0) },
                                tolerance: tolerance)
            }
        }
        context.fireChannelRead(data)
    }
}
