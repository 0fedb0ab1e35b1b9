import AnalyticsCore
import Foundation

/// A Swift type that a result column can be decoded into.
///
/// Each conformance names the column types it accepts; any other type is a `.decoding` error naming
/// the column, its type and the requested Swift type.
public protocol PostgresDecodable: Sendable {
    /// Decodes the text form of a non-NULL value of column type `type`.
    static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Self
    /// The value for SQL NULL; the default throws (only `Optional` accepts NULL).
    static func decodeNull(type: PostgresDataType, column: String) throws(PostgresError) -> Self
}

extension PostgresDecodable {
    public static func decodeNull(type: PostgresDataType, column: String) throws(PostgresError) -> Self {
        throw PostgresError(code: .decoding,
                            message: "column '\(column)' is NULL but \(Self.self) is not optional")
    }

    static func mismatch(_ type: PostgresDataType, _ column: String) -> PostgresError {
        PostgresError(code: .decoding,
                      message: "column '\(column)' has type \(type), which does not decode as \(Self.self)")
    }

    static func malformed(_ text: String, _ column: String) -> PostgresError {
        PostgresError(code: .decoding,
                      message: "column '\(column)' value '\(text.prefix(40))' is not a valid \(Self.self)")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Wrapped? {
        try Wrapped.decode(text: text, type: type, column: column)
    }

    public static func decodeNull(type: PostgresDataType, column: String) throws(PostgresError) -> Wrapped? {
        nil
    }
}

extension String: PostgresDecodable {
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> String {
        guard PostgresDataType.textLike.contains(type) else { throw mismatch(type, column) }
        return text
    }
}

extension Int: PostgresDecodable {
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Int {
        guard PostgresDataType.integers.contains(type) else { throw mismatch(type, column) }
        guard let value = Int(text) else { throw malformed(text, column) }
        return value
    }
}

extension Int64: PostgresDecodable {
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Int64 {
        guard PostgresDataType.integers.contains(type) else { throw mismatch(type, column) }
        guard let value = Int64(text) else { throw malformed(text, column) }
        return value
    }
}

extension Int32: PostgresDecodable {
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Int32 {
        guard PostgresDataType.integers.contains(type) else { throw mismatch(type, column) }
        guard let value = Int32(text) else { throw malformed(text, column) }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Bool {
        guard type == .bool else { throw mismatch(type, column) }
        switch text {
        case "t": return true
        case "f": return false
        default: throw malformed(text, column)
        }
    }
}

extension Double: PostgresDecodable {
    /// Accepts `real`, `double precision` and integers; never used for money.
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Double {
        guard type == .float4 || type == .float8 || PostgresDataType.integers.contains(type) else {
            throw mismatch(type, column)
        }
        guard let value = Double(text) else { throw malformed(text, column) }
        return value
    }
}

extension Decimal: PostgresDecodable {
    /// Exact: the server's decimal text is parsed digit by digit (no binary floating point).
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Decimal {
        guard type == .numeric || PostgresDataType.integers.contains(type) else { throw mismatch(type, column) }
        guard DecimalLiteral(text) != nil, let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw malformed(text, column)
        }
        return value
    }
}

extension Money: PostgresDecodable {
    /// From `numeric` with at most two significant decimals (e.g. `NUMERIC(15,2)`), exactly.
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Money {
        guard type == .numeric || PostgresDataType.integers.contains(type) else { throw mismatch(type, column) }
        guard let value = Money(exactly: text) else { throw malformed(text, column) }
        return value
    }
}

extension CalendarDate: PostgresDecodable {
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> CalendarDate {
        guard type == .date else { throw mismatch(type, column) }
        guard let value = CalendarDate(iso: text) else { throw malformed(text, column) }
        return value
    }
}

extension Date: PostgresDecodable {
    /// From `timestamptz` (any offset) or `timestamp` (taken as UTC).
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Date {
        guard type == .timestamptz || type == .timestamp else { throw mismatch(type, column) }
        guard let value = PostgresTimestamp.parse(text) else { throw malformed(text, column) }
        return value
    }
}

extension Ratio4: PostgresDecodable {
    /// From `numeric` with at most four significant decimals (e.g. `NUMERIC(24,4)`), exactly.
    public static func decode(text: String, type: PostgresDataType, column: String) throws(PostgresError) -> Ratio4 {
        guard type == .numeric || PostgresDataType.integers.contains(type) else { throw mismatch(type, column) }
        guard let value = Ratio4(exactly: text) else { throw malformed(text, column) }
        return value
    }
}
