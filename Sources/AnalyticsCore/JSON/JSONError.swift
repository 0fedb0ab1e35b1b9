/// Why a JSON text could not be read, and where (byte offset from the start of the input).
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidUTF8
        case tooDeep(limit: Int)
        case invalidEscape
        case unpairedSurrogate
        case controlCharacterInString
        case invalidNumber
        case trailingData
    }

    private let code: Code
    /// The byte offset in the input where the problem was found.
    public let offset: Int

    private init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    static func unexpectedEnd(at offset: Int) -> JSONError { JSONError(.unexpectedEnd, at: offset) }
    static func unexpectedByte(_ byte: UInt8, at offset: Int) -> JSONError { JSONError(.unexpectedByte(byte), at: offset) }
    static func invalidUTF8(at offset: Int) -> JSONError { JSONError(.invalidUTF8, at: offset) }
    static func tooDeep(limit: Int, at offset: Int) -> JSONError { JSONError(.tooDeep(limit: limit), at: offset) }
    static func invalidEscape(at offset: Int) -> JSONError { JSONError(.invalidEscape, at: offset) }
    static func unpairedSurrogate(at offset: Int) -> JSONError { JSONError(.unpairedSurrogate, at: offset) }
    static func controlCharacter(at offset: Int) -> JSONError { JSONError(.controlCharacterInString, at: offset) }
    static func invalidNumber(at offset: Int) -> JSONError { JSONError(.invalidNumber, at: offset) }
    static func trailingData(at offset: Int) -> JSONError { JSONError(.trailingData, at: offset) }

    /// True when the document nests deeper than the reader's limit.
    public var isNestingTooDeep: Bool {
        if case .tooDeep = code { return true }
        return false
    }

    /// True when the input is not valid UTF-8.
    public var isInvalidUTF8: Bool { code == .invalidUTF8 }

    /// True when the document is followed by something other than whitespace.
    public var isTrailingData: Bool { code == .trailingData }

    /// A message safe to show to the sender of the document.
    public var description: String {
        let what: String
        switch code {
        case .unexpectedEnd: what = "unexpected end of input"
        case .unexpectedByte(let byte):
            what = byte >= 0x20 && byte < 0x7F
                ? "unexpected character '\(Character(Unicode.Scalar(byte)))'"
                : "unexpected byte 0x\(String(byte, radix: 16))"
        case .invalidUTF8: what = "invalid UTF-8"
        case .tooDeep(let limit): what = "nesting deeper than \(limit) levels"
        case .invalidEscape: what = "invalid escape sequence in string"
        case .unpairedSurrogate: what = "unpaired UTF-16 surrogate in \\u escape"
        case .controlCharacterInString: what = "unescaped control character in string"
        case .invalidNumber: what = "invalid number"
        case .trailingData: what = "unexpected data after the JSON value"
        }
        return "invalid JSON at byte \(offset): \(what)"
    }
}
