/// The recursive-descent parser behind ``JSONReader``, over already-validated UTF-8.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let maximumDepth: Int
    private var index = 0
    private var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw .trailingData(at: index) }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() throws(JSONError) -> UInt8 {
        guard index < bytes.count else { throw .unexpectedEnd(at: index) }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws(JSONError) {
        let b = try peek()
        guard b == byte else { throw .unexpectedByte(b, at: index) }
        index += 1
    }

    private mutating func parseValue() throws(JSONError) -> JSONValue {
        let b = try peek()
        switch b {
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return .array(try parseArray())
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseKeyword("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseKeyword("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseKeyword("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw .unexpectedByte(b, at: index)
        }
    }

    private mutating func parseKeyword(_ word: StaticString) throws(JSONError) {
        let utf8 = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in utf8 {
            let b = try peek()
            guard b == expected else { throw .unexpectedByte(b, at: index) }
            index += 1
        }
    }

    private mutating func enterContainer() throws(JSONError) {
        depth += 1
        guard depth <= maximumDepth else { throw .tooDeep(limit: maximumDepth, at: index) }
    }

    private mutating func parseObject() throws(JSONError) -> JSONObject {
        try enterContainer()
        index += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return JSONObject(members: members)
        }
        while true {
            skipWhitespace()
            let b = try peek()
            guard b == UInt8(ascii: "\"") else { throw .unexpectedByte(b, at: index) }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { break }
            guard next == UInt8(ascii: ",") else { throw .unexpectedByte(next, at: index - 1) }
        }
        depth -= 1
        return JSONObject(members: members)
    }

    private mutating func parseArray() throws(JSONError) -> [JSONValue] {
        try enterContainer()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") { break }
            guard next == UInt8(ascii: ",") else { throw .unexpectedByte(next, at: index - 1) }
        }
        depth -= 1
        return elements
    }

    private mutating func parseNumber() throws(JSONError) -> String {
        let start = index
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            // A leading zero may not be followed by more digits ("01").
            if index < bytes.count, isDigit(bytes[index]) { throw .invalidNumber(at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw .invalidNumber(at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func parseString() throws(JSONError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes, the bytes (already valid UTF-8) are the string.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            guard b >= 0x20 else { throw .controlCharacter(at: index) }
            index += 1
        }
        var scalars: [UInt8] = Array(bytes[start..<index])
        while true {
            let b = try peek()
            if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            }
            guard b >= 0x20 else { throw .controlCharacter(at: index) }
            if b != UInt8(ascii: "\\") {
                scalars.append(b)
                index += 1
                continue
            }
            index += 1
            let escape = try peek()
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append(0x22)
            case UInt8(ascii: "\\"): scalars.append(0x5C)
            case UInt8(ascii: "/"): scalars.append(0x2F)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                let scalar = try parseUnicodeEscape()
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw .invalidEscape(at: index - 2)
            }
        }
    }

    /// Reads the hex digits after `\u`, combining a surrogate pair into one scalar.
    private mutating func parseUnicodeEscape() throws(JSONError) -> Unicode.Scalar {
        let escapeStart = index - 2
        let first = try parseHex4()
        var value = UInt32(first)
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw .unpairedSurrogate(at: escapeStart) }
            index += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw .unpairedSurrogate(at: escapeStart) }
            value = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(first) {
            throw .unpairedSurrogate(at: escapeStart)
        }
        guard let scalar = Unicode.Scalar(value) else { throw .invalidEscape(at: escapeStart) }
        return scalar
    }

    private mutating func parseHex4() throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            let b = try peek()
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: throw .invalidEscape(at: index)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
