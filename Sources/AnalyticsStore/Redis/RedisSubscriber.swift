import AnalyticsCore
import NIOCore
import NIOPosix

/// A Redis pub/sub subscription over a non-blocking connection of its own (NIO, not hiredis: a
/// subscriber waits on its socket for as long as it lives, which would pin a blocking thread).
///
/// `subscribe(to:_:)` connects, authenticates, subscribes and hands every confirmation and message to
/// its closure, in order, until the connection fails or the task is cancelled. Reconnecting is the
/// caller's policy (the API's `InvalidationSubscriber` retries and distrusts its caches meanwhile).
public struct RedisSubscriber: Sendable {
    /// What the subscription delivers.
    public enum Event: Sendable, Equatable {
        /// The server confirmed the subscription to `channel`; `count` channels are now subscribed.
        case subscribed(channel: String, count: Int)
        /// A message published on `channel`.
        case message(channel: String, payload: [UInt8])
    }

    /// Where it connects (host, port, credentials and connect timeout are used; pub/sub ignores the
    /// database number).
    public let configuration: RedisConfiguration

    /// A subscriber for the server of `configuration`; nothing connects until `subscribe`.
    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    /// Subscribes to `channels` and calls `body` with each event until the connection closes or
    /// fails (throws `RedisError`) or the task is cancelled (returns or throws `CancellationError`).
    /// The connection is closed when this returns. `body` runs on the reading task: while it awaits,
    /// later events wait in the socket buffer, in order.
    public func subscribe(to channels: [String], _ body: (Event) async throws -> Void) async throws {
        precondition(!channels.isEmpty, "subscribe to at least one channel")
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // At least a second: the 50 ms of a cache read is too tight for a connection that lives long.
            .connectTimeout(.milliseconds(max(1_000, configuration.connectTimeout.wholeMilliseconds)))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var setup: [UInt8] = []
            if let password = configuration.password {
                setup += RESPParser.command(configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            setup += RESPParser.command(["SUBSCRIBE"] + channels)
            try await outbound.write(ByteBuffer(bytes: setup))
            var parser = RESPParser()
            for try await buffer in inbound {
                for value in try parser.feed(buffer.readableBytesView) {
                    if let event = try Self.event(value) { try await body(event) }
                }
            }
            try Task.checkCancellation()
            throw RedisError(code: .unavailable, message: "the subscription connection to \(configuration) closed")
        }
    }

    /// The event a value carries; nil for replies that carry none (AUTH's `+OK`).
    private static func event(_ value: RESPParser.Value) throws(RedisError) -> Event? {
        switch value {
        case .error(let message):
            throw RedisError(code: .server, message: "the subscription was refused: \(message)")
        case .array(let parts) where parts.count == 3:
            guard case .bulk(let kind?) = parts[0], case .bulk(let name?) = parts[1] else { return nil }
            let channel = String(decoding: name, as: UTF8.self)
            switch (String(decoding: kind, as: UTF8.self), parts[2]) {
            case ("subscribe", .integer(let count)): return .subscribed(channel: channel, count: Int(count))
            case ("message", .bulk(let payload?)): return .message(channel: channel, payload: payload)
            default: return nil
            }
        default:
            return nil
        }
    }
}

