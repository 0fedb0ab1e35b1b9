import AnalyticsStore
import Logging
import ServiceLifecycle

/// Keeps the in-process caches honest: subscribes (through `RedisSubscriber`) to
/// `CacheNamespace.invalidationChannel` and the audit channel, so this replica learns of a new
/// generation or an audit write at once, and re-reads the generation and the audit counter every
/// `recheckInterval`, so a missed message or a Redis restart (a counter lower than before) heals
/// within that interval. A service: it reconnects after a failure (marking the caches untrusted
/// meanwhile) and stops on graceful shutdown.
struct InvalidationSubscriber: Service {
    /// The channel an audit write announces its officer on.
    static let auditChannel = "{analytics}:audit"
    /// The counter every audit write increments in the same pipeline as its announcement.
    static let auditCounterKey = "{analytics}:audit-writes"
    /// How often the counters are re-read by default: a missed message heals within a minute.
    static let defaultRecheckInterval: Duration = .seconds(15)

    let redis: RedisClient
    let subscriber: RedisSubscriber
    let tracker: GenerationTracker
    let auditCache: AuditCache
    var recheckInterval: Duration = InvalidationSubscriber.defaultRecheckInterval
    var retryDelay: Duration = .milliseconds(250)
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
                try await Task.sleep(for: retryDelay)
            }
        }
    }

    /// One subscription, with the periodic re-read beside it; either failing ends both.
    private func listen() async throws {
        let watch = AuditCounterWatch()
        let (subscribed, confirmations) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await subscriber.subscribe(to: [CacheNamespace.invalidationChannel, Self.auditChannel]) { event in
                    try await handle(event, watch: watch, confirmations: confirmations)
                }
            }
            group.addTask {
                // The re-read starts once the subscription is live and the baseline is read.
                for await _ in subscribed { break }
                while true {
                    try await Task.sleep(for: recheckInterval)
                    try await recheck(watch)
                }
            }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    private func handle(_ event: RedisSubscriber.Event, watch: AuditCounterWatch,
                        confirmations: AsyncStream<Void>.Continuation) async throws {
        switch event {
        case .subscribed(_, let count):
            guard count == 2 else { return }
            // Subscribed first, then read: a bump in between arrives as a message.
            let (generation, audit) = try await counters()
            tracker.connected(generation: generation)
            watch.reset(to: audit)
            auditCache.setLive(true)
            confirmations.yield()
        case .message(let channel, let payload):
            let text = String(decoding: payload, as: UTF8.self)
            if channel == Self.auditChannel {
                watch.announced()
                auditCache.invalidate(officerID: text)
            } else if let generation = Int64(text) {
                // A worker from before the pipelined bump: the payload is the new number.
                tracker.announced(generation)
            } else {
                let version = tracker.version
                tracker.observed(try await CacheNamespace.generation(redis: redis), since: version)
            }
        }
    }

    /// The periodic re-read: adopts a generation that moved without a message (up or down) and
    /// empties the audit cache when the audit counter moved further than the messages received.
    private func recheck(_ watch: AuditCounterWatch) async throws {
        let version = tracker.version
        let (generation, audit) = try await counters()
        if watch.check(audit) {
            auditCache.removeAll()
            logger.info("audit cache emptied: audit writes without a message", metadata: ["counter": "\(audit)"])
        }
        // Last, so a generation adopted here means this re-read has finished (tests wait on it).
        if tracker.observed(generation, since: version) {
            logger.info("cache generation adopted from Redis without a message", metadata: ["generation": "\(generation)"])
        }
    }

    /// The generation and the audit counter, in one round trip (0 for a missing key).
    private func counters() async throws -> (generation: Int64, audit: Int64) {
        let replies = try await redis.pipeline([["GET", CacheNamespace.generationKey], ["GET", Self.auditCounterKey]])
        func number(_ reply: RedisReply) throws -> Int64 {
            if reply == .null { return 0 }
            guard let text = reply.string, let value = Int64(text) else {
                throw RedisError(code: .protocolError, message: "a cache counter in Redis is not an integer")
            }
            return value
        }
        return (try number(replies[0]), try number(replies[1]))
    }
}
