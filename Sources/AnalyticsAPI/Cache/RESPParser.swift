/// A minimal RESP2 reader for the invalidation subscription: turns the bytes received so far into
/// complete values, keeping an incomplete tail for the next read.
struct RESPParser: Sendable {
    /// A RESP value.
    indirect enum Value: Sendable, Equatable {
        case simple(String)
        case error(String)
        case integer(Int64)
        case bulk([UInt8]?)
        case array([Value])
    }

    private var buffer: [UInt8] = []

    /// Adds received bytes and returns every complete value, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Value] {
        buffer.append(contentsOf: bytes)
        var values: [Value] = []
        var index = 0
        while let (value, next) = Self.parse(buffer, at: index) {
            values.append(value)
            index = next
        }
        if index > 0 { buffer.removeFirst(index) }
        return values
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

    private static func parse(_ bytes: [UInt8], at start: Int) -> (Value, Int)? {
        guard start < bytes.count, let (text, next) = line(bytes, at: start + 1) else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "+"): return (.simple(text), next)
        case UInt8(ascii: "-"): return (.error(text), next)
        case UInt8(ascii: ":"): return (.integer(Int64(text) ?? 0), next)
        case UInt8(ascii: "$"):
            guard let length = Int(text) else { return nil }
            if length < 0 { return (.bulk(nil), next) }
            guard next + length + 2 <= bytes.count else { return nil }
            return (.bulk(Array(bytes[next..<(next + length)])), next + length + 2)
        case UInt8(ascii: "*"):
            guard let count = Int(text) else { return nil }
            var elements: [Value] = []
            var position = next
            for _ in 0..<max(count, 0) {
                guard let (element, after) = parse(bytes, at: position) else { return nil }
                elements.append(element)
                position = after
            }
            return (.array(elements), position)
        default:
            return nil
        }
    }

    /// The RESP encoding of a command.
    static func command(_ arguments: [String]) -> [UInt8] {
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.utf8.count)\r\n".utf8) + Array(argument.utf8) + [13, 10]
        }
        return out
    }
}
