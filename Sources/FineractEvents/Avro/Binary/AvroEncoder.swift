// Hand-written (see Avro/Schema/AvroSchema.swift).

/// Encodes an ``AvroValue`` tree as Avro binary data (Avro specification, "Binary Encoding")
/// generically over a parsed schema: the inverse of ``AvroDecoder``.
///
/// The value must follow the schema exactly: a record value gives every field of the schema (and
/// no other), in any order, and the record's fullname; an enum a symbol of the enum; a union's value
/// is written with the first branch that takes it (unions are transparent in ``AvroValue``, as the
/// decoder returns them: a record by its fullname, an enum by its symbols, a fixed by its size, a
/// decimal by the decimal logical type). Types are not promoted (an `int` value is no `long`).
/// A `decimal` is written at the schema's scale, in the fewest two's-complement bytes (as Java's
/// writer, and so Fineract, writes it); a value that needs more decimals than the scale or more
/// digits than the precision is refused, never rounded. Arrays and maps are written as one block.
/// Anything that does not match is an ``AvroEncodingError`` naming the field path.
///
/// Thread-safe: an encoder has no state.
public struct AvroEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Encodes `value` as `schema`'s root.
    public func encode(_ value: AvroValue, as schema: AvroParsedSchema) throws(AvroEncodingError) -> [UInt8] {
        var state = State(schema: schema)
        try state.encode(value, as: schema.root)
        return state.writer.bytes
    }

    /// Encodes `value` as a single-object payload: `C3 01`, `schema`'s fingerprint, the body.
    public func encodeSingleObject(_ value: AvroValue, as schema: AvroParsedSchema) throws(AvroEncodingError) -> [UInt8] {
        AvroSingleObject(fingerprint: schema.fingerprint, body: try encode(value, as: schema)).encoded
    }

    private struct State {
        let schema: AvroParsedSchema
        var writer = AvroBinaryWriter()

        init(schema: AvroParsedSchema) {
            self.schema = schema
        }

        mutating func encode(_ value: AvroValue, as type: AvroSchema) throws(AvroEncodingError) {
            switch (type, value) {
            case (.null, .null):
                break
            case (.boolean, .boolean(let flag)):
                writer.writeByte(flag ? 1 : 0)
            case (.int, .int(let int)):
                writer.writeLong(Int64(int))
            case (.long, .long(let long)):
                writer.writeLong(long)
            case (.float, .float(let float)):
                writer.writeFixedWidth(UInt64(float.bitPattern), count: 4)
            case (.double, .double(let double)):
                writer.writeFixedWidth(double.bitPattern, count: 8)
            case (.bytes, .bytes(let bytes)):
                writer.writeLengthPrefixed(bytes)
            case (.string, .string(let text)):
                writer.writeLengthPrefixed(text.utf8)
            case (.record(let record), .record(let given)):
                try encodeRecord(given, as: record)
            case (.enumeration(let enumeration), .enumeration(let symbol)):
                guard let index = enumeration.symbols.firstIndex(of: symbol) else {
                    throw .unknownSymbol(enumeration: enumeration.name, symbols: enumeration.symbols.count)
                }
                writer.writeLong(Int64(index))
            case (.fixed(let fixed), .fixed(let bytes)):
                guard bytes.count == fixed.size else { throw .fixedSize(expected: fixed.size, actual: bytes.count) }
                writer.writeRaw(bytes)
            case (.array(let itemType), .array(let items)):
                if !items.isEmpty {
                    writer.writeLong(Int64(items.count))
                    for (index, item) in items.enumerated() {
                        do throws(AvroEncodingError) {
                            try encode(item, as: itemType)
                        } catch {
                            throw error.inside("[\(index)]")
                        }
                    }
                }
                writer.writeLong(0)
            case (.map(let valueType), .map(let map)):
                if !map.isEmpty {
                    writer.writeLong(Int64(map.count))
                    for (key, item) in map.entries {
                        writer.writeLengthPrefixed(key.utf8)
                        do throws(AvroEncodingError) {
                            try encode(item, as: valueType)
                        } catch {
                            throw error.inside("{}")
                        }
                    }
                }
                writer.writeLong(0)
            case (.union(let branches), _):
                guard let index = branches.firstIndex(where: { takes($0, value) }) else {
                    throw .noUnionBranch(found: value, branches: branches.map(Self.kindName))
                }
                writer.writeLong(Int64(index))
                try encode(value, as: branches[index])
            case (.named(let name), _):
                guard let definition = schema.namedTypes[name] else { throw .unresolvedType(name) }
                try encode(value, as: definition)
            case (.logical(.decimal(let precision, let scale), let base), _):
                try encodeDecimal(value, precision: precision, scale: scale, base: base)
            case (.logical(_, let base), _):
                try encode(value, as: base)
            default:
                throw .mismatch(expected: Self.kindName(type), found: value)
            }
        }

        private mutating func encodeRecord(_ given: AvroRecord, as record: AvroRecordSchema) throws(AvroEncodingError) {
            guard given.name == record.name else { throw .recordName(expected: record.name, found: given.name) }
            // Values built for the schema have their fields in its order: find each in one step then.
            let inOrder = given.fields.count == record.fields.count
            for (index, field) in record.fields.enumerated() {
                let value: AvroValue
                if inOrder, given.fields[index].name == field.name {
                    value = given.fields[index].value
                } else if let found = given[field.name] {
                    value = found
                } else {
                    throw AvroEncodingError.missingField(field.name).inside(".\(field.name)")
                }
                do throws(AvroEncodingError) {
                    try encode(value, as: field.schema)
                } catch {
                    throw error.inside(".\(field.name)")
                }
            }
            if given.fields.count != record.fields.count || !inOrder {
                for field in given.fields where !record.fields.contains(where: { $0.name == field.name }) {
                    throw .unknownField(field.name)
                }
            }
        }

        private mutating func encodeDecimal(_ value: AvroValue, precision: Int, scale: Int,
                                            base: AvroSchema) throws(AvroEncodingError) {
            guard case .decimal(let decimal) = value else { throw .mismatch(expected: "a decimal", found: value) }
            guard let scaled = decimal.rescaled(to: scale) else { throw .decimalScale(scale) }
            if precision > 0, scaled.precision > precision { throw .decimalPrecision(precision, digits: scaled.precision) }
            let bytes = scaled.twosComplementBytes
            switch schema.resolve(base) {
            case .fixed(let fixed):
                guard bytes.count <= fixed.size else { throw .decimalTooWide(size: fixed.size) }
                // Sign-extended to the fixed's size.
                writer.writeRaw([UInt8](repeating: scaled.isNegative ? 0xFF : 0, count: fixed.size - bytes.count))
                writer.writeRaw(bytes)
            case .bytes:
                writer.writeLengthPrefixed(bytes)
            default:
                throw .mismatch(expected: Self.kindName(base), found: value)
            }
        }

        /// Whether a union branch takes `value` (the first that does is written).
        private func takes(_ branch: AvroSchema, _ value: AvroValue) -> Bool {
            switch (branch, value) {
            case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float),
                 (.double, .double), (.bytes, .bytes), (.string, .string), (.array, .array), (.map, .map):
                return true
            case (.record(let record), .record(let given)):
                return record.name == given.name
            case (.enumeration(let enumeration), .enumeration(let symbol)):
                return enumeration.symbols.contains(symbol)
            case (.fixed(let fixed), .fixed(let bytes)):
                return fixed.size == bytes.count
            case (.named(let name), _):
                return schema.namedTypes[name].map { takes($0, value) } ?? false
            case (.logical(.decimal, _), .decimal):
                return true
            case (.logical(.decimal, _), _):
                return false
            case (.logical(_, let base), _):
                return takes(base, value)
            default:
                return false
            }
        }

        static func kindName(_ type: AvroSchema) -> String {
            switch type {
            case .null: return "null"
            case .boolean: return "boolean"
            case .int: return "int"
            case .long: return "long"
            case .float: return "float"
            case .double: return "double"
            case .bytes: return "bytes"
            case .string: return "string"
            case .array: return "array"
            case .map: return "map"
            case .union: return "union"
            case .named(let name): return name
            case .record(let record): return "record \(record.name)"
            case .enumeration(let enumeration): return "enum \(enumeration.name)"
            case .fixed(let fixed): return "fixed \(fixed.name)"
            case .logical(.decimal, _): return "decimal"
            case .logical(_, let base): return kindName(base)
            }
        }
    }
}
