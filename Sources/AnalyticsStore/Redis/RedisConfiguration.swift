import AnalyticsCore
/// Where and how to connect to Redis, read from `redis://[:password@]host:port[/db][?options]`.
///
/// Options: `connect_timeout_ms` (default 50), `timeout_ms` per command (default 50),
/// `retry_after_ms` (default 250): after a failure, calls fail at once for this long before the
/// client tries to reconnect, so a dead Redis costs requests nothing.
public struct RedisConfiguration: Sendable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// `AUTH` password, if any.
    public var password: String?
    /// `AUTH` user name (Redis 6 ACL), if any.
    public var username: String?
    /// Database number for `SELECT`.
    public var database: Int
    /// Connect timeout.
    public var connectTimeout: Duration
    /// Per-command timeout.
    public var commandTimeout: Duration
    /// How long to fail fast after a failure before trying to reconnect.
    public var retryAfter: Duration

    /// Parses a URL; throws `.configuration` naming what is wrong.
    public init(url: String) throws(RedisError) {
        func bad(_ why: String) -> RedisError { RedisError(code: .configuration, message: "invalid Redis URL: \(why)") }
        guard url.hasPrefix("redis://") else { throw bad("it must start with redis://") }
        var rest = Substring(url.dropFirst("redis://".count))
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                let user = credentials[..<colon]
                username = user.isEmpty ? nil : String(user).removingPercentEncodingSafely()
                password = String(credentials[credentials.index(after: colon)...]).removingPercentEncodingSafely()
            } else {
                password = String(credentials).removingPercentEncodingSafely()
            }
        }
        var hostPart = rest
        port = 6379
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            hostPart = rest[..<colon]
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { throw bad("the port must be 1-65535") }
            port = p
        }
        host = hostPart.isEmpty ? "127.0.0.1" : String(hostPart.trimmingCharacters(in: "[]"))
        if path.isEmpty {
            database = 0
        } else {
            guard let db = Int(path), db >= 0 else { throw bad("the path must be a database number") }
            database = db
        }
        connectTimeout = .milliseconds(50)
        commandTimeout = .milliseconds(50)
        retryAfter = .milliseconds(250)
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let ms = Int(parts[1]), ms >= 0 else { throw bad("option '\(pair)' needs a whole number of milliseconds") }
            switch parts[0] {
            case "connect_timeout_ms": connectTimeout = .milliseconds(ms)
            case "timeout_ms": commandTimeout = .milliseconds(ms)
            case "retry_after_ms": retryAfter = .milliseconds(ms)
            default: throw bad("unknown option '\(parts[0])' (known: connect_timeout_ms, timeout_ms, retry_after_ms)")
            }
        }
    }

    /// `host:port/db`, without credentials.
    public var description: String { "\(host):\(port)/\(database)" }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}

extension String {
    /// Decodes `%XX` escapes (`PercentDecoding`; `+` stays a plus); leaves malformed ones as they are.
    func removingPercentEncodingSafely() -> String {
        String(decoding: PercentDecoding.bytes(utf8, plusIsSpace: false), as: UTF8.self)
    }
}
