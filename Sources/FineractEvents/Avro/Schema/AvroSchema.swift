// Hand-written: there is no Avro package for Swift on this project's machines, so the Avro schema
// model, parser, canonical form, fingerprint and binary decoder are written here from the Avro
// specification (https://avro.apache.org/docs/, "Specification").

/// One Avro schema, as parsed by ``AvroSchemaParser``.
///
/// A named type (record, enum, fixed) appears in full at its definition and as ``named(_:)`` (its
/// fullname) wherever it is referred to afterwards, including recursively and from another `.avsc`
/// file; ``AvroParsedSchema/namedTypes`` holds every definition.
public indirect enum AvroSchema: Hashable, Sendable {
    /// `null`: no bytes.
    case null
    /// `boolean`: one byte, 0 or 1.
    case boolean
    /// `int`: a zig-zag varint within 32 bits.
    case int
    /// `long`: a zig-zag varint within 64 bits.
    case long
    /// `float`: 4 bytes little-endian IEEE 754.
    case float
    /// `double`: 8 bytes little-endian IEEE 754.
    case double
    /// `bytes`: a long length, then the bytes.
    case bytes
    /// `string`: a long length, then UTF-8.
    case string
    /// A record definition.
    case record(AvroRecordSchema)
    /// An enum definition.
    case enumeration(AvroEnumSchema)
    /// `array` of `items`.
    case array(items: AvroSchema)
    /// `map` from strings to `values`.
    case map(values: AvroSchema)
    /// A union: the value is one of the branches, chosen by a zero-based index on the wire.
    case union([AvroSchema])
    /// A fixed definition.
    case fixed(AvroFixedSchema)
    /// A reference to a named type by its fullname.
    case named(String)
    /// A logical type over its underlying schema (encoded exactly as the underlying schema).
    case logical(AvroLogicalType, AvroSchema)

    /// The fullname when this is a named type's definition, else nil.
    public var definedName: String? {
        switch self {
        case .record(let record): return record.name
        case .enumeration(let enumeration): return enumeration.name
        case .fixed(let fixed): return fixed.name
        case .logical(_, let base): return base.definedName
        default: return nil
        }
    }
}
