/// An error from PostgreSQL or from the libpq wrapper.
///
/// `description` is safe to show to a person (no SQL, no credentials); `debugDescription` adds the
/// SQLSTATE, the server's detail and hint, and the statement, for logs.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is. New cases may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Sendable {
            case connectionFailed
            case connectionLost
            case server
            case decoding
            case invalidParameter
            case poolTimeout
            case poolClosed
            case copyFailed
            case migration
            case configuration
        }
        let base: Base

        /// Could not connect (server down, bad credentials, bad URL).
        public static let connectionFailed = Code(base: .connectionFailed)
        /// The connection broke during a call.
        public static let connectionLost = Code(base: .connectionLost)
        /// The server rejected the statement (see `sqlState`).
        public static let server = Code(base: .server)
        /// A column could not be decoded into the requested Swift type.
        public static let decoding = Code(base: .decoding)
        /// A parameter could not be sent (for example it contains a NUL byte).
        public static let invalidParameter = Code(base: .invalidParameter)
        /// No connection became free within the pool's acquire timeout.
        public static let poolTimeout = Code(base: .poolTimeout)
        /// The pool was shut down.
        public static let poolClosed = Code(base: .poolClosed)
        /// A COPY stream failed.
        public static let copyFailed = Code(base: .copyFailed)
        /// A migration failed or the migration files are inconsistent.
        public static let migration = Code(base: .migration)
        /// A setting (URL, pool size) is malformed.
        public static let configuration = Code(base: .configuration)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A one-line message a person can act on.
    public var message: String
    /// The five-character SQLSTATE from the server, when the server reported the error.
    public var sqlState: String?
    /// The server's DETAIL field, if any.
    public var detail: String?
    /// The server's HINT field, if any.
    public var hint: String?
    /// The statement that failed, for logs only.
    public var query: String?

    /// Creates an error.
    public init(code: Code, message: String, sqlState: String? = nil, detail: String? = nil,
                hint: String? = nil, query: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.query = query
    }

    /// True when retrying on a new connection may succeed (the connection or server went away).
    public var isConnectionProblem: Bool {
        code == .connectionFailed || code == .connectionLost
            || (sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } ?? false)
    }

    public var description: String {
        if let sqlState { return "PostgreSQL error \(sqlState): \(message)" }
        return "PostgreSQL \(code): \(message)"
    }

    public var debugDescription: String {
        var parts = [description]
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let query { parts.append("query: \(query)") }
        return parts.joined(separator: "; ")
    }
}
