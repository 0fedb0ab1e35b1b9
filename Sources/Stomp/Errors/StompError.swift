/// An error from the STOMP transport: a frame that breaks the protocol or a limit, a connection
/// that failed or went silent, or an ERROR frame from the broker.
///
/// `description` is one line a person can act on. It never carries the login or passcode: a
/// broker message that quotes either has it replaced by `***` before it is stored here. The
/// broker's ERROR body (ActiveMQ puts a Java stack trace there) is not kept.
public struct StompError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is. New cases may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable {
            case configuration
            case connectionFailed
            case connectionClosed
            case handshakeTimeout
            case heartbeatTimeout
            case receiptTimeout
            case frameTooLarge
            case malformedFrame
            case invalidHeader
            case broker
            case protocolViolation
        }
        let base: Base

        /// A setting (URL, limit, interval) is malformed.
        public static let configuration = Code(base: .configuration)
        /// The TCP connection to the broker could not be opened.
        public static let connectionFailed = Code(base: .connectionFailed)
        /// The connection closed (by the broker, the network, or our side) while it was in use.
        public static let connectionClosed = Code(base: .connectionClosed)
        /// The broker accepted the TCP connection but did not answer CONNECT in time.
        public static let handshakeTimeout = Code(base: .handshakeTimeout)
        /// The broker sent nothing, not even a heart-beat, for longer than the negotiated interval
        /// allows: it is treated as dead and the connection is closed.
        public static let heartbeatTimeout = Code(base: .heartbeatTimeout)
        /// A RECEIPT the client asked for did not arrive in time.
        public static let receiptTimeout = Code(base: .receiptTimeout)
        /// A frame is larger than the configured limit.
        public static let frameTooLarge = Code(base: .frameTooLarge)
        /// The bytes received are not a STOMP 1.2 frame.
        public static let malformedFrame = Code(base: .malformedFrame)
        /// A header cannot be sent (a CONNECT header holding a line break or a colon in its name).
        public static let invalidHeader = Code(base: .invalidHeader)
        /// The broker answered with an ERROR frame.
        public static let broker = Code(base: .broker)
        /// The broker sent a frame the client did not expect at that point.
        public static let protocolViolation = Code(base: .protocolViolation)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line message a person can act on.
    public var message: String
    /// The underlying error's description (a socket error, for example), for logs.
    public var underlying: String?

    /// Creates an error.
    public init(code: Code, message: String, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }

    public var debugDescription: String {
        var text = "StompError(\(code)): \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}

extension StompError {
    static func configuration(_ message: String) -> StompError {
        StompError(code: .configuration, message: message)
    }

    static func malformed(_ reason: String) -> StompError {
        StompError(code: .malformedFrame,
                   message: "the broker sent bytes that are not a STOMP 1.2 frame (\(reason)); check that the URL points at a STOMP connector")
    }

    static func frameTooLarge(limit: Int) -> StompError {
        StompError(code: .frameTooLarge,
                   message: "a STOMP frame exceeds the limit of \(limit) bytes; raise the limit or have the producer send smaller messages")
    }

    static func connectionClosed(_ context: String, underlying: (any Error)? = nil) -> StompError {
        if let stomp = underlying as? StompError { return stomp }
        return StompError(code: .connectionClosed,
                          message: "the connection to the message broker closed \(context); it is reopened with backoff",
                          underlying: underlying.map { String(describing: $0) })
    }

    /// An ERROR frame's `message` header, with the credentials masked wherever the broker quoted them.
    static func broker(message: String?, redacting secrets: [String]) -> StompError {
        var text = message ?? "no message"
        for secret in secrets where !secret.isEmpty {
            text = text.replacing(secret, with: "***")
        }
        return StompError(code: .broker, message: "the message broker reported an error: \(text)")
    }
}
