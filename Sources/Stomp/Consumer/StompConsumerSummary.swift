/// What a `StompConsumer` did, returned by `consume()` and readable while it runs.
public struct StompConsumerSummary: Sendable, Hashable {
    /// Why `consume()` returned.
    public enum Ending: String, Sendable {
        /// Still running (a summary read while it runs).
        case running
        /// No message arrived for the idle timeout.
        case idle
        /// `stop()` or a graceful shutdown.
        case stopped
        /// The task was cancelled.
        case cancelled
    }

    /// Messages delivered to the handler (a redelivered message counts again).
    public var received = 0
    /// Messages acknowledged after the handler returned.
    public var acknowledged = 0
    /// Handler calls that threw (their messages were left for redelivery).
    public var handlerFailures = 0
    /// Connections established (subscribed).
    public var connections = 0
    /// Connection attempts or sessions that failed and were retried.
    public var failures = 0
    /// Why it ended.
    public var ending: Ending = .running

    /// An empty summary.
    public init() {}
}
