/// A cron expression that cannot be used: the message says which field is wrong and why.
public struct CronExpressionError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, e.g. `hour field '25': 25 is outside 0-23`.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
