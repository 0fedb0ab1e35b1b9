import Synchronization

/// Request ids: the client's `X-Request-Id` when it is 1-100 characters of `[A-Za-z0-9._-]`,
/// else a new 16-hex-digit id.
enum RequestID {
    private static let counter = Atomic<UInt64>(0)
    private static let prefix = UInt64.random(in: 0...UInt64.max)

    /// The id to use for a request that sent `header`.
    static func make(from header: String?) -> String {
        if let header, !header.isEmpty, header.utf8.count <= 100,
           header.utf8.allSatisfy({ byte in
               (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                   || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
           }) {
            return header
        }
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let value = prefix &+ n &* 0x9E37_79B9_7F4A_7C15
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
