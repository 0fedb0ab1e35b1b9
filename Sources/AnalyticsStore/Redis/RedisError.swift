/// An error from Redis or from the hiredis wrapper. `description` never contains the password.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New cases may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable { case unavailable, timeout, server, protocolError, configuration }
        let base: Base
        /// Redis cannot be reached (refused, reset, closed, or backing off after such a failure).
        public static let unavailable = Code(base: .unavailable)
        /// Redis did not answer within the command or connect timeout.
        public static let timeout = Code(base: .timeout)
        /// Redis answered with an error reply (`-ERR ...`).
        public static let server = Code(base: .server)
        /// The reply was not of the expected shape.
        public static let protocolError = Code(base: .protocolError)
        /// The Redis URL is malformed.
        public static let configuration = Code(base: .configuration)
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line message a person can act on.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "Redis \(code): \(message)" }
}
