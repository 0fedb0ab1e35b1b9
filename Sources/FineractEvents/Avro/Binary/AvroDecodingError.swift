// Hand-written (see Avro/Schema/AvroSchema.swift).

/// Why Avro bytes could not be decoded. The description says what is wrong, where (byte offset) and
/// what to do; it never contains the message's content.
public struct AvroDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case truncated(needed: Int)
        case varintTooLong
        case intOutOfRange
        case invalidBoolean(UInt8)
        case negativeLength(Int64)
        case lengthTooLarge(Int64)
        case tooManyItems(limit: Int)
        case blockSizeMismatch(declared: Int64, actual: Int)
        case badUnionIndex(Int64, branches: Int)
        case badEnumIndex(Int64, symbols: Int)
        case invalidUTF8
        case decimalTooLong(Int)
        case tooDeep(limit: Int)
        case unresolvedType(String)
        case trailingBytes(Int)
        case notSingleObject
        case unknownFingerprint(AvroFingerprint)
    }

    private let code: Code
    /// The byte offset from the start of the decoded input where the problem was found.
    public let offset: Int

    private init(_ code: Code, at offset: Int) {
        self.code = code
        self.offset = offset
    }

    static func truncated(needed: Int, at offset: Int) -> Self { Self(.truncated(needed: needed), at: offset) }
    static func varintTooLong(at offset: Int) -> Self { Self(.varintTooLong, at: offset) }
    static func intOutOfRange(at offset: Int) -> Self { Self(.intOutOfRange, at: offset) }
    static func invalidBoolean(_ byte: UInt8, at offset: Int) -> Self { Self(.invalidBoolean(byte), at: offset) }
    static func negativeLength(_ length: Int64, at offset: Int) -> Self { Self(.negativeLength(length), at: offset) }
    static func lengthTooLarge(_ length: Int64, at offset: Int) -> Self { Self(.lengthTooLarge(length), at: offset) }
    static func tooManyItems(limit: Int, at offset: Int) -> Self { Self(.tooManyItems(limit: limit), at: offset) }
    static func blockSizeMismatch(declared: Int64, actual: Int, at offset: Int) -> Self {
        Self(.blockSizeMismatch(declared: declared, actual: actual), at: offset)
    }
    static func badUnionIndex(_ index: Int64, branches: Int, at offset: Int) -> Self {
        Self(.badUnionIndex(index, branches: branches), at: offset)
    }
    static func badEnumIndex(_ index: Int64, symbols: Int, at offset: Int) -> Self {
        Self(.badEnumIndex(index, symbols: symbols), at: offset)
    }
    static func invalidUTF8(at offset: Int) -> Self { Self(.invalidUTF8, at: offset) }
    static func decimalTooLong(_ count: Int, at offset: Int) -> Self { Self(.decimalTooLong(count), at: offset) }
    static func tooDeep(limit: Int, at offset: Int) -> Self { Self(.tooDeep(limit: limit), at: offset) }
    static func unresolvedType(_ name: String, at offset: Int) -> Self { Self(.unresolvedType(name), at: offset) }
    static func trailingBytes(_ count: Int, at offset: Int) -> Self { Self(.trailingBytes(count), at: offset) }
    static func notSingleObject() -> Self { Self(.notSingleObject, at: 0) }
    static func unknownFingerprint(_ fingerprint: AvroFingerprint) -> Self { Self(.unknownFingerprint(fingerprint), at: 2) }

    /// The writer-schema fingerprint no registered schema has, when that is the problem.
    public var unknownFingerprint: AvroFingerprint? {
        if case .unknownFingerprint(let fingerprint) = code { return fingerprint }
        return nil
    }

    /// True when the input ended before the value did.
    public var isTruncated: Bool {
        if case .truncated = code { return true }
        return false
    }

    /// True for a union branch index outside the union.
    public var isBadUnionIndex: Bool {
        if case .badUnionIndex = code { return true }
        return false
    }

    /// True when bytes remained after the value.
    public var isTrailingBytes: Bool {
        if case .trailingBytes = code { return true }
        return false
    }

    /// True for a varint longer than its type allows (more than 10 bytes, or beyond 64 bits).
    public var isVarintTooLong: Bool {
        if case .varintTooLong = code { return true }
        return false
    }

    /// True for a length or item count the input cannot hold, or beyond the decoder's limits.
    public var isAbsurdLength: Bool {
        switch code {
        case .negativeLength, .lengthTooLarge, .tooManyItems, .decimalTooLong: return true
        default: return false
        }
    }

    /// True when the input does not start with the single-object marker `C3 01`.
    public var isNotSingleObject: Bool { code == .notSingleObject }

    /// What is wrong and what to do.
    public var description: String {
        let problem: String
        switch code {
        case .truncated(let needed):
            problem = "the input ends \(needed) byte(s) before the value does"
        case .varintTooLong:
            problem = "a variable-length integer is longer than 64 bits allow"
        case .intOutOfRange:
            problem = "an int value does not fit in 32 bits"
        case .invalidBoolean(let byte):
            problem = "a boolean byte is \(byte), not 0 or 1"
        case .negativeLength(let length):
            problem = "a length is negative (\(length))"
        case .lengthTooLarge(let length):
            problem = "a length or item count (\(length)) is larger than the bytes that remain"
        case .tooManyItems(let limit):
            problem = "an array or map has more than \(limit) items"
        case .blockSizeMismatch(let declared, let actual):
            problem = "a block declares \(declared) bytes but its items took \(actual)"
        case .badUnionIndex(let index, let branches):
            problem = "a union branch index is \(index) but the union has \(branches) branches"
        case .badEnumIndex(let index, let symbols):
            problem = "an enum index is \(index) but the enum has \(symbols) symbols"
        case .invalidUTF8:
            problem = "a string is not valid UTF-8"
        case .decimalTooLong(let count):
            problem = "a decimal has \(count) bytes, more than \(AvroDecimal.maximumByteCount)"
        case .tooDeep(let limit):
            problem = "values nest deeper than \(limit) levels"
        case .unresolvedType(let name):
            problem = "the schema refers to '\(name)', which it does not define"
        case .trailingBytes(let count):
            problem = "\(count) byte(s) remain after the value"
        case .notSingleObject:
            return "Avro message does not start with the single-object marker C3 01: it is not a single-object Avro payload; check the producer's serialisation"
        case .unknownFingerprint(let fingerprint):
            return "Avro message was written with a schema whose fingerprint \(fingerprint) is in no schema set this build carries: add the .avsc set of the producer's release"
        }
        return "Avro data is malformed at byte \(offset): \(problem); the message was written with another schema or was damaged in transit"
    }
}
