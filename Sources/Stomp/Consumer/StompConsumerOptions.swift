/// What a `StompConsumer` consumes and how.
public struct StompConsumerOptions: Sendable {
    /// The queue's name (`fineract-events`), or a full destination (`/queue/...`).
    public var queue: String
    /// ActiveMQ's `activemq.prefetchSize`: unacknowledged messages in flight. Default 100.
    public var prefetch: Int
    /// The most messages handed to a batch handler at once (`StompConsumer(handleBatch:)`): the
    /// ones already received when the handler is free, never waiting for more. Default 1. Keep
    /// `prefetch` above it (twice is good), or the broker stops sending while a batch is handled.
    public var maxBatch: Int
    /// ActiveMQ's `activemq.exclusive`: of the consumers of the queue that ask for it, the broker
    /// sends to one only; the others stand by and the next takes over when its subscription or
    /// connection closes. Keeps the producer's order with several consumer processes. Default false.
    public var exclusive: Bool
    /// Reconnection backoff.
    public var reconnect: StompReconnectPolicy
    /// When set, `consume()` returns once no message has arrived (and no handler has run) for
    /// this long while subscribed (`--until-idle`). Nil: run until stopped.
    public var idleTimeout: Duration?

    /// Options for `queue`.
    public init(queue: String, prefetch: Int = 100, maxBatch: Int = 1, exclusive: Bool = false,
                reconnect: StompReconnectPolicy = StompReconnectPolicy(), idleTimeout: Duration? = nil) {
        self.queue = queue
        self.prefetch = max(prefetch, 1)
        self.maxBatch = max(maxBatch, 1)
        self.exclusive = exclusive
        self.reconnect = reconnect
        self.idleTimeout = idleTimeout
    }

    /// The STOMP destination: `/queue/NAME` for a bare name.
    public var destination: String { queue.hasPrefix("/") ? queue : "/queue/\(queue)" }
}
