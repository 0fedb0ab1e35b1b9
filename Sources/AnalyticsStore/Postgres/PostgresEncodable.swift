import AnalyticsCore
import Foundation

/// A Swift value that can be sent as a bound statement parameter (text format).
///
/// Parameters are always sent out of band (`PQexecParams`); no value is ever spliced into SQL text.
public protocol PostgresEncodable: Sendable {
    /// The value's PostgreSQL text form.
    var postgresText: String { get }
}

/// The parameters of one statement: `nil` is SQL NULL.
public typealias PostgresBindings = [(any PostgresEncodable)?]

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "t" : "f" }
}

extension Double: PostgresEncodable {
    /// Not for money: use `Money` or `Decimal`.
    public var postgresText: String { String(self) }
}

extension Decimal: PostgresEncodable {
    public var postgresText: String { description }
}

extension Money: PostgresEncodable {
    public var postgresText: String { description }
}

extension CalendarDate: PostgresEncodable {
    public var postgresText: String { description }
}

extension Date: PostgresEncodable {
    /// RFC 3339 with microseconds, in UTC.
    public var postgresText: String { PostgresTimestamp.format(self) }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// A PostgreSQL array literal (`{"a","b"}`), every element quoted and escaped, so it binds to
    /// `= ANY($1)` safely.
    public var postgresText: String {
        // Built as UTF-8 bytes: a quote or backslash byte never occurs inside a multi-byte sequence.
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(count * 16 + 2)
        for (i, element) in enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            for byte in element.postgresText.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}

extension Ratio4: PostgresEncodable {
    /// The ratio with four decimals, for `NUMERIC(24,4)` (and `NUMERIC(5,4)` rates).
    public var postgresText: String { description }
}
