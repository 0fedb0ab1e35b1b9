/// An error from PostgreSQL or from the libpq wrapper.
///
/// `description` is safe to show to a person (no SQL, no credentials); `debugDescription` adds the
/// hint and the statement, for logs. Neither carries the server's DETAIL, which for a constraint
/// violation holds the failing row's values (customer data): it stays in `detail` for code that
/// inspects it and is never written anywhere by this package. A log line should name the failure
/// with `logSummary` (code, SQLSTATE and `statementName`), which holds no value at all.
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
    /// The server's DETAIL field, if any. It may hold row values (customer data): never log it.
    public var detail: String?
    /// The server's HINT field, if any.
    public var hint: String?
    /// The statement that failed, for logs only.
    public var query: String?

    /// Creates an error.
    public init(code: Code, message: String, sqlState: String? = nil, detail: String? = nil,
                hint: String? = nil, query: String? = nil) {
        self.code = code
        // A data exception's message quotes the offending value (`invalid input syntax for type
        // integer: "..."`), which can be customer data: the quoted parts are dropped.
        self.message = sqlState?.hasPrefix("22") == true ? Self.withoutQuotedValues(message) : message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.query = query
    }

    /// `message` with every `"..."` span replaced by `"…"`.
    static func withoutQuotedValues(_ message: String) -> String {
        var result = ""
        var quoted = false
        for character in message {
            if character == "\"" {
                result.append(quoted ? "…\"" : "\"")
                quoted.toggle()
            } else if !quoted {
                result.append(character)
            }
        }
        return quoted ? result + "…\"" : result
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
        if let hint { parts.append("hint: \(hint)") }
        if let query { parts.append("query: \(query)") }
        return parts.joined(separator: "; ")
    }

    /// A short name of the failed statement for logs: its first keyword and the first table it
    /// names (`INSERT audit_log`, `SELECT loans`), plus a hash of its text that tells statements on
    /// the same table apart. Nil when the error is not about a statement. Never holds a value: the
    /// statement's text is a constant of the code (values are bound parameters).
    public var statementName: String? {
        guard let query else { return nil }
        let words = query.split { $0.isWhitespace || "(),;".contains($0) }
        guard let verb = words.first.map({ $0.uppercased() }), verb.allSatisfy({ $0.isLetter }) else { return nil }
        var name = verb
        let tableKeywords: Set<String> = ["FROM", "INTO", "UPDATE", "TABLE", "JOIN", "COPY"]
        if let index = words.firstIndex(where: { tableKeywords.contains($0.uppercased()) }), index + 1 < words.count {
            let table = words[index + 1]
            if table.count <= 63, table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) {
                name += " " + table
            }
        }
        let hash = String(FNV1a.hash64(query) & 0xFFFF_FFFF, radix: 16)
        return name + " #" + String(repeating: "0", count: 8 - hash.count) + hash
    }

    /// The error for a log line: our code, the SQLSTATE and the statement's name, plus the message
    /// only where it cannot hold row values (connection and pool failures). Never the server's
    /// message for a statement (`invalid input syntax for type date: "..."` quotes the value), never
    /// DETAIL.
    public var logSummary: String {
        var parts = ["postgres \(code)"]
        if let sqlState { parts.append("sqlstate=\(sqlState)") }
        if let statementName { parts.append("statement=\(statementName)") }
        // A connection or pool failure's message is libpq's or ours (host, port, database, user; no
        // password, no row); a server error's message may quote a value, unless it is a connection
        // class SQLSTATE.
        let connectionOrPool = code == .connectionFailed || code == .connectionLost || code == .poolTimeout || code == .poolClosed
        if connectionOrPool, sqlState == nil || isConnectionProblem {
            parts.append("message=\(message)")
        }
        return parts.joined(separator: " ")
    }
}
