import AnalyticsStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Listens on `CacheNamespace.invalidationChannel` (and the audit channel) over a non-blocking
/// connection of its own, so the in-process caches learn of a new generation at once. A service:
/// it reconnects after a failure (marking the generation untrusted meanwhile) and stops on shutdown.
struct InvalidationSubscriber: Service {
    /// The channel an audit write announces its officer on.
    static let auditChannel = "{analytics}:audit"

    let configuration: RedisConfiguration
    let redis: RedisClient
    let tracker: GenerationTracker
    let auditCache: AuditCache
    let logger: Logger

    func run() async throws {
        // Shutdown cancels the loop (and the read it is waiting in).
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await listen()
                } catch {
                    logger.debug("invalidation subscription lost", metadata: ["error": "\(error)"])
                }
                tracker.disconnected()
                auditCache.setLive(false)
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    private func listen() async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(1))
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
            setup += RESPParser.command(["SUBSCRIBE", CacheNamespace.invalidationChannel, Self.auditChannel])
            try await outbound.write(ByteBuffer(bytes: setup))
            var parser = RESPParser()
            var subscribed = 0
            for try await buffer in inbound {
                for value in parser.feed(buffer.readableBytesView) {
                    guard case .array(let parts) = value, parts.count == 3, case .bulk(let kind?) = parts[0] else {
                        if case .error(let message) = value { throw RedisError(code: .server, message: message) }
                        continue
                    }
                    switch String(decoding: kind, as: UTF8.self) {
                    case "subscribe":
                        subscribed += 1
                        if subscribed == 2 {
                            // Subscribed first, then read: a bump in between arrives as a message.
                            tracker.connected(generation: try await CacheNamespace.generation(redis: redis))
                            auditCache.setLive(true)
                        }
                    case "message":
                        guard case .bulk(let channelName?) = parts[1], case .bulk(let payload?) = parts[2] else { continue }
                        let text = String(decoding: payload, as: UTF8.self)
                        if String(decoding: channelName, as: UTF8.self) == Self.auditChannel {
                            auditCache.invalidate(officerID: text)
                        } else if let generation = Int64(text) {
                            tracker.announced(generation)
                        }
                    default:
                        continue
                    }
                }
            }
        }
    }
}
