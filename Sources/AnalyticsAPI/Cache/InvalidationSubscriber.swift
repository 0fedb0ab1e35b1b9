import AnalyticsStore
import Logging
import ServiceLifecycle

/// Keeps the in-process caches honest: subscribes (through `RedisSubscriber`) to
/// `CacheNamespace.invalidationChannel`, `CacheNamespace.tagInvalidationChannel` and the audit
/// channel, so this replica learns of a new generation, a targeted invalidation or an audit write
/// at once, and re-reads the generation and the audit and tag-invalidation counters every
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
    /// The channels, in the order they are subscribed.
    static let channels = [CacheNamespace.invalidationChannel, CacheNamespace.tagInvalidationChannel, auditChannel]

    let redis: RedisClient
    let subscriber: RedisSubscriber
    let tracker: GenerationTracker
    let auditCache: AuditCache
    var recheckInterval: Duration = InvalidationSubscriber.defaultRecheckInterval
    var retryDelay: Duration = .milliseconds(250)
    let logger: Logger
    /// Told which tags moved, so the recently read entries showing them are loaded again ahead of
    /// their readers (`RefreshAheadService`).
    var hotKeys: HotKeys?

    /// What one subscription knows of the counters beside its messages.
    private struct Watches {
        let audit = CounterWatch()
        let tags = CounterWatch()
    }

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
        let watches = Watches()
        let (subscribed, confirmations) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await subscriber.subscribe(to: Self.channels) { event in
                    try await handle(event, watches: watches, confirmations: confirmations)
                }
            }
            group.addTask {
                // The re-read starts once the subscription is live and the baseline is read.
                for await _ in subscribed { break }
                while true {
                    try await Task.sleep(for: recheckInterval)
                    try await recheck(watches)
                }
            }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    private func handle(_ event: RedisSubscriber.Event, watches: Watches,
                        confirmations: AsyncStream<Void>.Continuation) async throws {
        switch event {
        case .subscribed(_, let count):
            guard count == Self.channels.count else { return }
            // Subscribed first, then read: a bump in between arrives as a message.
            let counters = try await counters(withTagVersions: true)
            tracker.connected(generation: counters.generation, tagVersions: counters.tagVersions)
            watches.audit.reset(to: counters.audit)
            watches.tags.reset(to: counters.tagInvalidations)
            auditCache.setLive(true)
            confirmations.yield()
        case .message(let channel, let payload):
            switch channel {
            case Self.auditChannel:
                watches.audit.announced()
                auditCache.invalidate(officerID: String(decoding: payload, as: UTF8.self))
            case CacheNamespace.tagInvalidationChannel:
                // Not ours to guess: a payload we cannot read ends the subscription, and the next
                // one starts from a full read.
                guard let tags = CacheNamespace.tags(inAnnouncement: payload) else {
                    throw RedisError(code: .protocolError, message: "a tag invalidation message could not be read")
                }
                tracker.tagsAnnounced(tags)
                watches.tags.announced()
                let versions = try await CacheNamespace.tagVersions(of: tags, redis: redis)
                tracker.tagsRead(Dictionary(zip(tags, versions), uniquingKeysWith: max))
                hotKeys?.moved(Set(tags))
            default:
                if let generation = Int64(String(decoding: payload, as: UTF8.self)) {
                    // A worker from before the pipelined bump: the payload is the new number.
                    tracker.announced(generation)
                } else {
                    let version = tracker.generationAnnounced()
                    tracker.generationRead(try await CacheNamespace.generation(redis: redis), since: version)
                }
            }
        }
    }

    /// The periodic re-read: adopts a generation that moved without a message (up or down), reads
    /// every tag version again when tag invalidations happened without a message, and empties the
    /// audit cache when the audit counter moved further than the messages received.
    private func recheck(_ watches: Watches) async throws {
        let version = tracker.version
        let counters = try await counters(withTagVersions: false)
        if watches.audit.check(counters.audit) {
            auditCache.removeAll()
            logger.info("audit cache emptied: audit writes without a message", metadata: ["counter": "\(counters.audit)"])
        }
        if watches.tags.check(counters.tagInvalidations) {
            let reply = try await redis.command(["HGETALL", CacheNamespace.tagVersionsKey])
            let raised = tracker.tagsObserved(try CacheNamespace.allTagVersions(reply))
            if raised > 0 { hotKeys?.moved(nil) }
            if raised > 0 {
                logger.info("cache tag versions adopted from Redis without a message", metadata: ["tags": "\(raised)"])
            }
        }
        // Last, so a generation adopted here means this re-read has finished (tests wait on it).
        if tracker.observed(counters.generation, since: version) {
            logger.info("cache generation adopted from Redis without a message", metadata: ["generation": "\(counters.generation)"])
        }
    }

    /// The counters read together.
    private struct Counters {
        var generation: Int64
        var audit: Int64
        var tagInvalidations: Int64
        var tagVersions: [CacheTag: Int64]
    }

    /// The generation, the audit and tag-invalidation counters and, when asked, every tag version,
    /// in one round trip (0 for a missing key).
    private func counters(withTagVersions: Bool) async throws -> Counters {
        var commands = [["GET", CacheNamespace.generationKey], ["GET", Self.auditCounterKey],
                        ["GET", CacheNamespace.tagInvalidationsKey]]
        if withTagVersions { commands.append(["HGETALL", CacheNamespace.tagVersionsKey]) }
        let replies = try await redis.pipeline(commands)
        return Counters(generation: try CacheNamespace.counter(replies[0], CacheNamespace.generationKey),
                        audit: try CacheNamespace.counter(replies[1], Self.auditCounterKey),
                        tagInvalidations: try CacheNamespace.counter(replies[2], CacheNamespace.tagInvalidationsKey),
                        tagVersions: withTagVersions ? try CacheNamespace.allTagVersions(replies[3]) : [:])
    }
}
