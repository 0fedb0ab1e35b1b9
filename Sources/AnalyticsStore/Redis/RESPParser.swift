/// A RESP2 reader for the pub/sub connection: turns the bytes received so far into complete values,
/// keeping an incomplete tail for the next read. A malformed value (a bad integer or length, an
/// unknown type byte) is a `RedisError` with code `.protocolError`: the connection cannot be read
/// any further and must be dropped.
public struct RESPParser: Sendable {
    /// A RESP2 value.
    public indirect enum Value: Sendable, Equatable {
        case simple(String)
        case error(String)
        case integer(Int64)
        case bulk([UInt8]?)
        case array([Value])
    }

    private var buffer: [UInt8] = []

    /// An empty parser.
    public init() {}

    /// Adds received bytes and returns every complete value, in order. Throws on malformed input.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(RedisError) -> [Value] {
        buffer.append(contentsOf: bytes)
        var values: [Value] = []
        var index = 0
        while let (value, next) = try Self.parse(buffer, at: index) {
            values.append(value)
            index = next
        }
        if index > 0 { buffer.removeFirst(index) }
        return values
    }

    /// The RESP encoding of a command.
    public static func command(_ arguments: [String]) -> [UInt8] {
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.utf8.count)\r\n".utf8) + Array(argument.utf8) + [13, 10]
        }
        return out
    }

    private static func line(_ bytes: [UInt8], at start: Int) -> (String, Int)? {
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == 13, bytes[i + 1] == 10 {
                return (String(decoding: bytes[start..<i], as: UTF8.self), i + 2)
            }
            i += 1
        }
        return nil
    }

    private static func number(_ text: String, _ what: String) throws(RedisError) -> Int64 {
        guard let value = Int64(text) else {
            throw RedisError(code: .protocolError, message: "the server sent a malformed \(what) on the subscription")
        }
        return value
    }

    /// The value starting at `start` and the index after it; nil while it is incomplete.
    private static func parse(_ bytes: [UInt8], at start: Int) throws(RedisError) -> (Value, Int)? {
        guard start < bytes.count, let (text, next) = line(bytes, at: start + 1) else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "+"): return (.simple(text), next)
        case UInt8(ascii: "-"): return (.error(text), next)
        case UInt8(ascii: ":"): return (.integer(try number(text, "integer")), next)
        case UInt8(ascii: "$"):
            let length = try number(text, "bulk length")
            if length < 0 { return (.bulk(nil), next) }
            guard length <= Int64(Int32.max) else {
                throw RedisError(code: .protocolError, message: "the server sent an oversized bulk string on the subscription")
            }
            let end = next + Int(length)
            guard end + 2 <= bytes.count else { return nil }
            return (.bulk(Array(bytes[next..<end])), end + 2)
        case UInt8(ascii: "*"):
            let count = try number(text, "array length")
            var elements: [Value] = []
            var position = next
            for _ in 0..<max(count, 0) {
                guard let (element, after) = try parse(bytes, at: position) else { return nil }
                elements.append(element)
                position = after
            }
            return (.array(elements), position)
        default:
            throw RedisError(code: .protocolError, message: "the server sent an unknown RESP type on the subscription")
        }
    }
}
