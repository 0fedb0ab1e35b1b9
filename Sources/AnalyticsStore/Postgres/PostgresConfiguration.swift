import Foundation
import CPostgres

/// Where and how to connect to PostgreSQL, read from a URL.
///
/// The URL is libpq's: `postgres://user:password@host:port/database?sslmode=require&...`; every query
/// option libpq knows (`sslmode`, `connect_timeout`, `application_name`, `options`, ...) passes through.
/// The password never appears in `description`.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// The URL as given.
    public let url: String
    /// Parsed parts, for messages: host, port, database, user.
    public let host: String
    public let port: String
    public let database: String
    public let user: String

    /// Parses and validates `url` with libpq's own parser.
    ///
    /// Throws `PostgresError` with code `.configuration` naming what is wrong.
    public init(url: String) throws(PostgresError) {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw PostgresError(code: .configuration,
                                message: "a database URL must start with postgres:// or postgresql://")
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            let text = errorMessage.map { String(cString: $0) } ?? "unparseable"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(code: .configuration,
                                message: "invalid database URL: \(text.trimmingNewlines())")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                values[String(cString: keyword)] = String(cString: value)
            }
            option = option.advanced(by: 1)
        }
        self.url = url
        self.host = values["host"] ?? values["hostaddr"] ?? "localhost"
        self.port = values["port"] ?? "5432"
        self.database = values["dbname"] ?? values["user"] ?? ""
        self.user = values["user"] ?? ""
        self.hasConnectTimeout = values["connect_timeout"] != nil
    }

    let hasConnectTimeout: Bool

    /// `user@host:port/database`, without the password.
    public var description: String { "\(user)@\(host):\(port)/\(database)" }

    /// A copy of this configuration that connects to another database on the same server.
    ///
    /// The name must be a plain identifier (letters, digits, underscore), which keeps it safe to place
    /// in the URL path.
    public func replacingDatabase(with name: String) throws(PostgresError) -> PostgresConfiguration {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 == 95 || ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) }) else {
            throw PostgresError(code: .configuration, message: "database name '\(name)' must be [a-z0-9_]+")
        }
        let schemeEnd = url.range(of: "://").map { url.distance(from: url.startIndex, to: $0.upperBound) } ?? 0
        let afterScheme = url.dropFirst(schemeEnd)
        let pathStart = afterScheme.firstIndex(of: "/")
        let queryStart = afterScheme.firstIndex(of: "?")
        let authority: Substring
        if let pathStart, queryStart.map({ pathStart < $0 }) ?? true {
            authority = afterScheme[..<pathStart]
        } else if let queryStart {
            authority = afterScheme[..<queryStart]
        } else {
            authority = afterScheme
        }
        let query = queryStart.map { String(afterScheme[$0...]) } ?? ""
        return try PostgresConfiguration(url: String(url.prefix(schemeEnd)) + authority + "/" + name + query)
    }
}

extension String {
    func trimmingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
