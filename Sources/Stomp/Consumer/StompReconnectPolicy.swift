/// How a `StompConsumer` waits before reconnecting: exponential backoff from `initialDelay`,
/// capped at `maxDelay`, with "equal jitter" (a delay d is drawn from d/2...d) so that many
/// consumers that lost the same broker do not come back in lockstep.
public struct StompReconnectPolicy: Sendable, Hashable {
    /// The delay after the first failure. Default 100 ms.
    public var initialDelay: Duration
    /// The longest delay. Default 30 s.
    public var maxDelay: Duration
    /// The growth per consecutive failure. Default 2.
    public var multiplier: Double
    /// Consecutive failures (connection or handler) after which the consumer gives up and throws
    /// the last error; nil (the default) never gives up. A handled message resets the count.
    public var maxAttempts: Int?

    /// A policy; the defaults suit a daemon.
    public init(initialDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(30), multiplier: Double = 2,
                maxAttempts: Int? = nil) {
        self.initialDelay = initialDelay
        self.maxDelay = max(maxDelay, initialDelay)
        self.multiplier = max(multiplier, 1)
        self.maxAttempts = maxAttempts
    }

    /// The wait after `failures` consecutive failures (1 for the first), jittered with `generator`.
    public func delay(afterFailures failures: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let cap = Self.seconds(maxDelay)
        var ceiling = Self.seconds(initialDelay)
        for _ in 1..<max(failures, 1) where ceiling < cap { ceiling *= multiplier }
        ceiling = min(ceiling, cap)
        let seconds = Double.random(in: (ceiling / 2)...ceiling, using: &generator)
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// `delay(afterFailures:using:)` with the system's generator.
    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
