/// Header value escaping of STOMP 1.2 ("Value Encoding"): `\r`, `\n`, `:` and `\` travel as
/// `\r`, `\n`, `\c` and `\\`; any other backslash sequence is a protocol error.
enum StompHeaderEscaping {
    /// The bytes of `text` with the four special characters escaped.
    static func escape(_ text: String, into bytes: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: ":"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "c")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            default: bytes.append(byte)
            }
        }
    }

    /// The text of escaped `bytes`; throws on an undefined escape or a trailing backslash.
    static func unescape<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(StompError) -> String {
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\") else {
                result.append(byte)
                continue
            }
            switch iterator.next() {
            case UInt8(ascii: "r"): result.append(UInt8(ascii: "\r"))
            case UInt8(ascii: "n"): result.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "c"): result.append(UInt8(ascii: ":"))
            case UInt8(ascii: "\\"): result.append(UInt8(ascii: "\\"))
            case .some: throw StompError.malformed("an undefined escape sequence in a header")
            case .none: throw StompError.malformed("a header ends with a lone backslash")
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
