import CRedis
import Foundation

/// Owns one hiredis connection (`redisContext`). All calls block and run on a `BlockingExecutor`
/// thread, `close` included. `deinit` is the safety net (`redisFree`, which only closes the socket)
/// for a handle nobody closed, on the thread that drops the last reference.
///
/// `@unchecked Sendable` is safe because a handle is only ever used by the one blocking call that
/// took it from the client's idle list, and returned to the list after that call.
final class RedisContextHandle: @unchecked Sendable {
    private var context: UnsafeMutablePointer<redisContext>?

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// Closes the connection now (the deinit would otherwise).
    func close() {
        if let context {
            redisFree(context)
            self.context = nil
        }
    }

    /// Connects, authenticates and selects the database (blocking, bounded by the timeouts).
    static func connect(_ configuration: RedisConfiguration) throws(RedisError) -> RedisContextHandle {
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port),
                                                    timeval(configuration.connectTimeout)) else {
            throw RedisError(code: .unavailable, message: "hiredis could not allocate a connection")
        }
        if context.pointee.err != 0 {
            let error = RedisContextHandle.error(of: context, during: "connect to \(configuration)")
            redisFree(context)
            throw error
        }
        let handle = RedisContextHandle(context: context)
        guard redisSetTimeout(context, timeval(configuration.commandTimeout)) == REDIS_OK else {
            throw RedisError(code: .unavailable, message: "cannot set the command timeout on \(configuration)")
        }
        var setup: [[[UInt8]]] = []
        if let password = configuration.password {
            setup.append(configuration.username.map { ["AUTH", $0, password].map { Array($0.utf8) } }
                         ?? ["AUTH", password].map { Array($0.utf8) })
        }
        if configuration.database != 0 {
            setup.append(["SELECT", String(configuration.database)].map { Array($0.utf8) })
        }
        if !setup.isEmpty {
            for reply in try handle.pipeline(setup) {
                if case .error(let message) = reply {
                    throw RedisError(code: .server, message: "setting up the connection to \(configuration) failed: \(message)")
                }
            }
        }
        return handle
    }

    /// Sends all commands in one write and reads all replies (pipelining).
    func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        guard let context else { throw RedisError(code: .unavailable, message: "the connection is closed") }
        for command in commands {
            let status = Self.withArgv(command) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard status == REDIS_OK else { throw Self.error(of: context, during: "send") }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
                throw Self.error(of: context, during: "read a reply")
            }
            let reply = raw.assumingMemoryBound(to: redisReply.self)
            replies.append(Self.convert(reply))
            freeReplyObject(raw)
        }
        return replies
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let r = reply.pointee
        func bytes() -> [UInt8] {
            guard let str = r.str else { return [] }
            return str.withMemoryRebound(to: UInt8.self, capacity: Int(r.len)) {
                Array(UnsafeBufferPointer(start: $0, count: Int(r.len)))
            }
        }
        switch r.type {
        case REDIS_REPLY_STRING: return .bulk(bytes())
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: return .integer(r.integer)
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            if let element = r.element {
                for i in 0..<Int(r.elements) {
                    if let child = element[i] { elements.append(convert(child)) }
                }
            }
            return .array(elements)
        default: return .null
        }
    }

    private static func withArgv<R>(_ arguments: [[UInt8]],
                                    _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        var flat: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(flat.count)
            lengths.append(argument.count)
            flat.append(contentsOf: argument)
        }
        flat.append(0)
        return flat.withUnsafeBufferPointer { base in
            base.withMemoryRebound(to: CChar.self) { chars in
                var pointers: [UnsafePointer<CChar>?] = offsets.map { chars.baseAddress.map { UnsafePointer($0) }?.advanced(by: $0) }
                return pointers.withUnsafeMutableBufferPointer { argv in
                    lengths.withUnsafeBufferPointer { lens in
                        guard let argvBase = argv.baseAddress, let lensBase = lens.baseAddress else {
                            preconditionFailure("a Redis command has at least one argument")
                        }
                        return body(Int32(arguments.count), argvBase, lensBase)
                    }
                }
            }
        }
    }

    private static func error(of context: UnsafeMutablePointer<redisContext>, during action: String) -> RedisError {
        let code = context.pointee.err
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        // hiredis 0.14 reports a timeout as an I/O error carrying strerror(EAGAIN / ETIMEDOUT).
        let timedOut = code == REDIS_ERR_IO && (text.contains("temporarily unavailable") || text.contains("timed out"))
        if timedOut {
            return RedisError(code: .timeout, message: "Redis did not answer in time (\(action))")
        }
        return RedisError(code: .unavailable, message: "\(action) failed: \(text.isEmpty ? "connection error \(code)" : text)")
    }
}

private func timeval(_ duration: Duration) -> timeval {
    let (seconds, attoseconds) = duration.components
    return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
}
