import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One STOMP 1.2 connection to a broker, over SwiftNIO.
///
/// Open it with the scoped `connect(configuration:eventLoopGroup:logger:_:)`: it connects, sends
/// CONNECT (`accept-version:1.2`, `host`, login and passcode when given, our heart-beats), waits
/// for CONNECTED, starts the negotiated heart-beats, runs `body`, then sends DISCONNECT, waits for
/// its RECEIPT and closes. When `body` throws, the socket is closed without DISCONNECT, so the
/// broker redelivers whatever was not acknowledged. A broker ERROR frame, a heart-beat timeout or
/// a closed socket fails every pending call and subscription with a `StompError`.
///
/// Thread-safe: any task may call its methods. Nothing here blocks an event loop; reading runs in
/// a child task of `connect`.
public final class StompConnection: Sendable {
    let channel: any Channel
    let configuration: StompConfiguration
    let logger: Logger
    let state: Mutex<StompConnectionState>

    private init(channel: any Channel, configuration: StompConfiguration, logger: Logger) {
        self.channel = channel
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(StompConnectionState())
    }

    /// Connects, runs `body` with the connection, and disconnects (see the type's comment).
    /// Throws `StompError` (`connectionFailed`, `handshakeTimeout`, `broker` for a refused
    /// login, ...) or what `body` throws.
    public static func connect<Result: Sendable>(
        configuration: StompConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger,
        _ body: (StompConnection) async throws -> Result
    ) async throws -> Result {
        var logger = logger
        logger[metadataKey: "stomp.broker"] = "\(configuration.host):\(configuration.port)"
        let asyncChannel = try await openChannel(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        return try await asyncChannel.executeThenClose { inbound, _ in
            let connection = StompConnection(channel: asyncChannel.channel, configuration: configuration, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
                group.addTask { await connection.read(inbound) }
                do {
                    try await connection.handshake()
                    let result = try await body(connection)
                    try await connection.disconnect()
                    await connection.close()
                    group.cancelAll()
                    return result
                } catch {
                    connection.fail(StompError.connectionClosed("because the work on it failed", underlying: error))
                    await connection.close()
                    group.cancelAll()
                    throw error
                }
            }
        }
    }

    private static func openChannel(configuration: StompConfiguration, eventLoopGroup: any EventLoopGroup,
                                    logger: Logger) async throws -> NIOAsyncChannel<StompInbound, StompFrame> {
        let limits = configuration.limits
        let handshakeTimeout = TimeAmount(configuration.connectTimeout)
        let offered = configuration.heartBeat, tolerance = configuration.heartBeatTolerance
        do {
            return try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(handshakeTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        let heartbeat = StompHeartbeatHandler(handshakeTimeout: handshakeTimeout)
                        try pipeline.addHandler(heartbeat)
                        try pipeline.addHandler(ByteToMessageHandler(StompFrameDecoder(limits: limits)))
                        try pipeline.addHandler(StompConnectedHandler(offered: offered, tolerance: tolerance, heartbeat: heartbeat))
                        try pipeline.addHandler(MessageToByteHandler(StompFrameEncoder()))
                        return try NIOAsyncChannel<StompInbound, StompFrame>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            logger.debug("stomp connect failed", metadata: ["error": "\(error)"])
            throw StompError(code: .connectionFailed,
                             message: "cannot connect to the message broker at \(configuration.host):\(configuration.port); check that it runs and that the URL names its STOMP port",
                             underlying: String(describing: error))
        }
    }

    /// What CONNECTED said and the agreed heart-beats (set once `connect` has called `body`).
    public var session: StompSession? { state.withLock { $0.session } }

    /// The number of heart-beats (EOLs) received from the broker so far.
    public var heartbeatsReceived: Int { state.withLock { $0.heartbeatsReceived } }

    /// Sends CONNECT, waits for CONNECTED and records the session.
    private func handshake() async throws {
        let promise = channel.eventLoop.makePromise(of: StompFrame.self)
        // The reading task may have failed already (the broker closed at once): then nothing
        // would ever complete the promise.
        let failure = state.withLock { state -> StompError? in
            if let failure = state.failure { return failure }
            state.connected = promise
            return nil
        }
        if let failure {
            promise.fail(failure)
            throw failure
        }
        try await write(configuration.connectFrame)
        let connected = try await promise.futureResult.get()
        guard connected.headers["version"] == "1.2" else {
            let error = StompError(code: .protocolViolation,
                                   message: "the message broker does not speak STOMP 1.2 (it answered version \(connected.headers["version"] ?? "1.0"))")
            fail(error)
            throw error
        }
        guard let brokerHeartBeat = StompHeartBeat(headerValue: connected.headers["heart-beat"] ?? "0,0") else {
            let error = StompError(code: .protocolViolation, message: "the message broker sent a malformed heart-beat header")
            fail(error)
            throw error
        }
        let agreed = StompHeartBeat.negotiate(client: configuration.heartBeat, server: brokerHeartBeat)
        let session = StompSession(server: connected.headers["server"], id: connected.headers["session"],
                                   brokerHeartBeat: brokerHeartBeat, sendInterval: agreed.send, expectInterval: agreed.expect)
        // The heart-beats themselves were started on the event loop (StompConnectedHandler).
        state.withLock { $0.session = session }
        logger.debug("stomp connected", metadata: [
            "stomp.server": "\(session.server ?? "")",
            "stomp.heartbeat.send_ms": "\(agreed.send.map(StompHeartBeat.milliseconds) ?? 0)",
            "stomp.heartbeat.expect_ms": "\(agreed.expect.map(StompHeartBeat.milliseconds) ?? 0)",
        ])
    }

    /// Sends DISCONNECT and waits for its RECEIPT: every frame sent before it has then been
    /// processed by the broker (acknowledgements included).
    private func disconnect() async throws {
        state.withLock { $0.closing = true }
        try await sendExpectingReceipt(StompFrame(.disconnect))
    }

    /// Closes the socket (idempotent), so that the reading task ends.
    private func close() async {
        try? await channel.close()
    }

    /// Fails everything that waits with `error` (the first error is kept for later calls).
    func fail(_ error: StompError) {
        let (connected, receipts, subscriptions) = state.withLock { $0.takeWaiters(failing: error) }
        connected?.fail(error)
        for receipt in receipts { receipt.fail(error) }
        for subscription in subscriptions { subscription.finish(throwing: error) }
    }
}
