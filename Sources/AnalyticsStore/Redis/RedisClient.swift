import Logging
import ServiceLifecycle
import Synchronization

/// A Redis client over hiredis: a few connections, short timeouts, and fail-fast while Redis is down.
///
/// Every call runs on a `BlockingExecutor` of the client's own (`init(configuration:maximumConnections:)`):
/// Redis has its own thread budget, so a slow or hung Redis holds at most `maximumConnections`
/// threads and never the ones PostgreSQL calls run on. A failed connection is dropped; for
/// `configuration.retryAfter` after a failure, calls fail at once with `.unavailable` instead of
/// waiting on a dead server, then the next call reconnects. Safe to share between tasks.
///
/// A `Service`: `run()` lives until graceful shutdown (or cancellation), then closes the idle
/// connections and stops the client's own threads. Connections open lazily, so calls work before
/// `run()` starts.
public final class RedisClient: Service, Sendable {
    private struct State {
        var idle: [RedisContextHandle] = []
        var downUntil: ContinuousClock.Instant?
        var lastFailure: String?
    }

    /// Where the client connects.
    public let configuration: RedisConfiguration
    private let executor: BlockingExecutor
    /// True when `executor` is the client's own (stopped by `run()` / `close()`).
    private let ownsExecutor: Bool
    private let maximumIdle: Int
    private let state = Mutex(State())

    /// Creates a client with `maximumConnections` threads of its own: at most that many calls are in
    /// flight (more wait for a thread without blocking anything) and that many connections stay
    /// open between calls. Connections open lazily. Stop it with `run()` in a `ServiceGroup` or
    /// `close()`, else its threads stay.
    public init(configuration: RedisConfiguration, maximumConnections: Int = 8) {
        IgnoreSIGPIPE.once()
        self.configuration = configuration
        self.executor = BlockingExecutor(threads: maximumConnections)
        self.ownsExecutor = true
        self.maximumIdle = maximumConnections
    }

    /// Creates a client whose calls share `executor` with other users (which its owner stops).
    /// Without a thread budget of its own, a hung Redis can take every thread of `executor`: use
    /// `init(configuration:maximumConnections:)` beside PostgreSQL pools. `maximumIdle` bounds the
    /// connections kept open between calls.
    public init(configuration: RedisConfiguration, executor: BlockingExecutor, maximumIdle: Int = 8) {
        IgnoreSIGPIPE.once()
        self.configuration = configuration
        self.executor = executor
        self.ownsExecutor = false
        self.maximumIdle = maximumIdle
    }

    /// Sends several commands in one round trip and returns their replies in order. An error reply
    /// is returned as `.error`, not thrown; a connection failure or timeout throws `RedisError`.
    public func pipeline(_ commands: [[String]]) async throws -> [RedisReply] {
        try await pipelineBytes(commands.map { $0.map { Array($0.utf8) } })
    }

    /// `pipeline` with binary-safe arguments.
    public func pipelineBytes(_ commands: [[[UInt8]]]) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await executor.run { [self] in try self.runBlocking(commands) }
    }

    /// Sends one command and returns its reply; an error reply throws `.server`.
    @discardableResult
    public func command(_ arguments: [String]) async throws -> RedisReply {
        try Self.checked(try await pipeline([arguments])[0], arguments.first ?? "")
    }

    /// `GET key`: the value's bytes, or nil when the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        switch try await command(["GET", key]) {
        case .bulk(let bytes): return bytes
        case .null: return nil
        case let other: throw RedisError(code: .protocolError, message: "GET returned \(other)")
        }
    }

    /// `SET key value [EX seconds]`.
    public func set(_ key: String, _ value: [UInt8], expireSeconds: Int? = nil) async throws {
        var arguments: [[UInt8]] = [Array("SET".utf8), Array(key.utf8), value]
        if let expireSeconds { arguments += [Array("EX".utf8), Array(String(expireSeconds).utf8)] }
        _ = try Self.checked(try await pipelineBytes([arguments])[0], "SET")
    }

    /// `SET key value [EX seconds]` with a text value.
    public func set(_ key: String, _ value: String, expireSeconds: Int? = nil) async throws {
        try await set(key, Array(value.utf8), expireSeconds: expireSeconds)
    }

    /// `DEL keys...`: the number of keys removed.
    @discardableResult
    public func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return Int(try await command(["DEL"] + keys).integer ?? 0)
    }

    /// `UNLINK keys...` (non-blocking delete): the number of keys removed.
    @discardableResult
    public func unlink(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return Int(try await command(["UNLINK"] + keys).integer ?? 0)
    }

    /// `INCR key`: the new value.
    @discardableResult
    public func increment(_ key: String) async throws -> Int64 {
        guard let value = try await command(["INCR", key]).integer else {
            throw RedisError(code: .protocolError, message: "INCR did not return an integer")
        }
        return value
    }

    /// `EXPIRE key seconds`: true when the key exists.
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await command(["EXPIRE", key, String(seconds)]).integer == 1
    }

    /// All keys matching `pattern`, walked with `SCAN` (never `KEYS`, which blocks Redis).
    public func scanKeys(matching pattern: String, count: Int = 1000) async throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try await command(["SCAN", cursor, "MATCH", pattern, "COUNT", String(count)])
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].string,
                  case .array(let batch) = parts[1] else {
                throw RedisError(code: .protocolError, message: "SCAN returned \(reply)")
            }
            keys += batch.compactMap(\.string)
            cursor = next
        } while cursor != "0"
        return keys
    }

    /// Waits for graceful shutdown (or cancellation), then `close()`.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes the idle connections (on the executor) and stops the client's own threads. Calls made
    /// afterwards fail. Safe to call more than once.
    public func close() async {
        let idle = takeIdle()
        await executor.perform { idle.forEach { $0.close() } }
        if ownsExecutor { try? await executor.shutdown() }
    }

    /// Queues the closing of the idle connections without waiting (a client on a shared executor).
    public func shutdown() {
        let idle = takeIdle()
        executor.execute { idle.forEach { $0.close() } }
    }

    private func takeIdle() -> [RedisContextHandle] {
        state.withLock { s in
            defer { s.idle.removeAll() }
            return s.idle
        }
    }

    // MARK: Blocking part

    private static func checked(_ reply: RedisReply, _ command: String) throws(RedisError) -> RedisReply {
        if case .error(let message) = reply {
            throw RedisError(code: .server, message: "\(command) failed: \(message)")
        }
        return reply
    }

    private func runBlocking(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        let now = ContinuousClock.now
        let (reusable, blockedBy) = state.withLock { s -> (RedisContextHandle?, String?) in
            if let until = s.downUntil, now < until {
                return (nil, s.lastFailure ?? "unavailable")
            }
            return (s.idle.popLast(), nil)
        }
        if let blockedBy {
            throw RedisError(code: .unavailable, message: "Redis at \(configuration) is unavailable (\(blockedBy)); retrying shortly")
        }
        var pooled = reusable
        while true {
            do throws(RedisError) {
                let handle: RedisContextHandle
                if let pooled {
                    handle = pooled
                } else {
                    handle = try RedisContextHandle.connect(configuration)
                }
                let replies = try handle.pipeline(commands)
                state.withLock { s in
                    s.downUntil = nil
                    if s.idle.count < maximumIdle { s.idle.append(handle) }
                }
                return replies
            } catch {
                if pooled != nil, error.code == .unavailable {
                    // A kept connection went stale (Redis restarted): one more try on a fresh one.
                    pooled = nil
                    continue
                }
                state.withLock { s in
                    s.downUntil = ContinuousClock.now.advanced(by: configuration.retryAfter)
                    s.lastFailure = error.message
                    // Other idle connections may be dead too; drop them rather than fail one by one.
                    s.idle.removeAll()
                }
                throw error
            }
        }
    }
}
