/// Builds JSON text byte by byte; the hot read paths use it instead of `JSONEncoder`, so numbers that
/// come from PostgreSQL as exact decimal text (`"1381113.83"`, `"0.3569"`) reach the client as they
/// are, never through binary floating point.
struct JSONWriter: Sendable {
    /// The JSON text written so far.
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends JSON text as it is (the caller guarantees it is valid).
    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// Appends bytes of JSON text as they are.
    mutating func raw(bytes other: some Sequence<UInt8>) { bytes.append(contentsOf: other) }

    /// Appends a quoted, escaped JSON string.
    mutating func string(_ text: String) { Self.appendString(text, to: &bytes) }

    /// Appends a string, or `null`.
    mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// Appends `"key":`.
    mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends `,` when `needed`.
    mutating func comma(if needed: Bool) {
        if needed { bytes.append(UInt8(ascii: ",")) }
    }

    /// The JSON string literal of `text`.
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Writes `[row,row,...]` from rendered rows: each fragment is an object left open, so
    /// `members` can append keys (e.g. audit fields) before it is closed.
    mutating func rows(_ rows: [RenderedRow], members: (RenderedRow, inout JSONWriter) -> Void = { _, _ in }) {
        raw("[")
        for (i, row) in rows.enumerated() {
            comma(if: i > 0)
            raw(bytes: row.fragment)
            members(row, &self)
            raw("}")
        }
        raw("]")
    }
}
