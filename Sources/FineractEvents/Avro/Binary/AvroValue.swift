// Hand-written (see Avro/Schema/AvroSchema.swift).

/// A value decoded from Avro binary by ``AvroDecoder``: a generic tree that follows the writer schema.
///
/// Unions are transparent (the chosen branch's value). Logical types keep their underlying value
/// (`date` is an `int` of days, `timestamp-millis` a `long`, `uuid` a `string`), except `decimal`,
/// which becomes an exact ``AvroDecimal``.
public indirect enum AvroValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `boolean`.
    case boolean(Bool)
    /// `int`.
    case int(Int32)
    /// `long`.
    case long(Int64)
    /// `float`.
    case float(Float)
    /// `double`.
    case double(Double)
    /// `bytes`.
    case bytes([UInt8])
    /// `string`.
    case string(String)
    /// A record's fields in schema order.
    case record(AvroRecord)
    /// An enum symbol.
    case enumeration(String)
    /// An array's items.
    case array([AvroValue])
    /// A map, its keys in wire order (see ``AvroMap``).
    case map(AvroMap)
    /// A fixed's bytes.
    case fixed([UInt8])
    /// A `decimal` logical value.
    case decimal(AvroDecimal)

    /// The record, or nil.
    public var recordValue: AvroRecord? {
        if case .record(let record) = self { return record }
        return nil
    }

    /// The string (or enum symbol), or nil.
    public var stringValue: String? {
        switch self {
        case .string(let text), .enumeration(let text): return text
        default: return nil
        }
    }

    /// An `int` or `long` as `Int64`, or nil.
    public var integerValue: Int64? {
        switch self {
        case .int(let value): return Int64(value)
        case .long(let value): return value
        default: return nil
        }
    }

    /// The bytes of a `bytes` or `fixed`, or nil.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let bytes), .fixed(let bytes): return bytes
        default: return nil
        }
    }

    /// The decimal, or nil.
    public var decimalValue: AvroDecimal? {
        if case .decimal(let decimal) = self { return decimal }
        return nil
    }

    /// The array's items, or nil.
    public var arrayValue: [AvroValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The map, or nil.
    public var mapValue: AvroMap? {
        if case .map(let map) = self { return map }
        return nil
    }

    /// The boolean, or nil.
    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    /// True for `null`.
    public var isNull: Bool { self == .null }
}

extension AvroValue {
    /// The value's kind for messages (`a string`, `a record org.x.Y`), never its content.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .boolean: return "a boolean"
        case .int: return "an int"
        case .long: return "a long"
        case .float: return "a float"
        case .double: return "a double"
        case .bytes: return "bytes"
        case .string: return "a string"
        case .record(let record): return "a record \(record.name)"
        case .enumeration: return "an enum symbol"
        case .array: return "an array"
        case .map: return "a map"
        case .fixed: return "a fixed"
        case .decimal: return "a decimal"
        }
    }
}
