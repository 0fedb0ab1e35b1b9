// Hand-written (see Avro/Schema/AvroSchema.swift).

/// Decodes Avro binary data (Avro specification, "Binary Encoding") generically over a parsed
/// writer schema into an ``AvroValue`` tree.
///
/// Hostile input cannot make it allocate from an unchecked length: every length and block count is
/// checked against the bytes that remain first, the items of all arrays and maps together are capped
/// at ``maximumItems``, and nesting at ``maximumDepth``. Thread-safe: a decoder has no state.
public struct AvroDecoder: Sendable {
    /// The deepest nesting of records, arrays, maps and unions accepted (default 128).
    public var maximumDepth: Int
    /// The most array and map items one decode accepts, all collections together (default 1,000,000).
    public var maximumItems: Int

    /// Creates a decoder with limits.
    public init(maximumDepth: Int = 128, maximumItems: Int = 1_000_000) {
        self.maximumDepth = maximumDepth
        self.maximumItems = maximumItems
    }

    /// Decodes one value that must take all of `bytes`.
    /// - Parameter baseOffset: where `bytes` start in the whole message, for error offsets.
    public func decode(_ bytes: [UInt8], as schema: AvroParsedSchema, baseOffset: Int = 0) throws(AvroDecodingError) -> AvroValue {
        var state = State(reader: AvroBinaryReader(bytes: bytes, baseOffset: baseOffset), schema: schema, decoder: self)
        let value = try state.decode(schema.root, depth: 0)
        guard state.reader.remaining == 0 else {
            throw .trailingBytes(state.reader.remaining, at: state.reader.offset)
        }
        return value
    }

    private struct State {
        var reader: AvroBinaryReader
        let schema: AvroParsedSchema
        let decoder: AvroDecoder
        var items = 0

        init(reader: AvroBinaryReader, schema: AvroParsedSchema, decoder: AvroDecoder) {
            self.reader = reader
            self.schema = schema
            self.decoder = decoder
        }

        mutating func decode(_ type: AvroSchema, depth: Int) throws(AvroDecodingError) -> AvroValue {
            guard depth <= decoder.maximumDepth else { throw .tooDeep(limit: decoder.maximumDepth, at: reader.offset) }
            switch type {
            case .null:
                return .null
            case .boolean:
                let start = reader.offset
                let byte = try reader.readByte()
                guard byte <= 1 else { throw .invalidBoolean(byte, at: start) }
                return .boolean(byte == 1)
            case .int:
                return .int(try reader.readInt())
            case .long:
                return .long(try reader.readLong())
            case .float:
                return .float(Float(bitPattern: UInt32(truncatingIfNeeded: try reader.readFixedWidth(4))))
            case .double:
                return .double(Double(bitPattern: try reader.readFixedWidth(8)))
            case .bytes:
                return .bytes(try reader.readBytes(count: try reader.readLength()))
            case .string:
                let start = reader.offset
                let raw = try reader.readBytes(count: try reader.readLength())
                guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(at: start) }
                return .string(text)
            case .record(let record):
                var fields: [AvroRecord.Field] = []
                fields.reserveCapacity(record.fields.count)
                for field in record.fields {
                    fields.append(.init(name: field.name, value: try decode(field.schema, depth: depth + 1)))
                }
                return .record(AvroRecord(name: record.name, fields: fields))
            case .enumeration(let enumeration):
                let start = reader.offset
                let index = try reader.readInt()
                guard index >= 0, Int(index) < enumeration.symbols.count else {
                    throw .badEnumIndex(Int64(index), symbols: enumeration.symbols.count, at: start)
                }
                return .enumeration(enumeration.symbols[Int(index)])
            case .fixed(let fixed):
                return .fixed(try reader.readBytes(count: fixed.size))
            case .union(let branches):
                let start = reader.offset
                let index = try reader.readLong()
                guard index >= 0, index < Int64(branches.count) else {
                    throw .badUnionIndex(index, branches: branches.count, at: start)
                }
                return try decode(branches[Int(index)], depth: depth + 1)
            case .array(let itemType):
                var values: [AvroValue] = []
                try readBlocks(itemType, depth: depth) { (state: inout State) throws(AvroDecodingError) in
                    values.append(try state.decode(itemType, depth: depth + 1))
                }
                return .array(values)
            case .map(let valueType):
                var values = AvroMap()
                try readBlocks(.string, depth: depth) { (state: inout State) throws(AvroDecodingError) in
                    guard case .string(let key) = try state.decode(.string, depth: depth + 1) else { return }
                    values[key] = try state.decode(valueType, depth: depth + 1)
                }
                return .map(values)
            case .named(let name):
                guard let definition = schema.namedTypes[name] else { throw .unresolvedType(name, at: reader.offset) }
                return try decode(definition, depth: depth)
            case .logical(let logical, let base):
                return try decodeLogical(logical, base: base, depth: depth)
            }
        }

        private mutating func decodeLogical(_ logical: AvroLogicalType, base: AvroSchema, depth: Int) throws(AvroDecodingError) -> AvroValue {
            guard case .decimal(_, let scale) = logical else { return try decode(base, depth: depth) }
            let start = reader.offset
            let count: Int
            if case .fixed(let fixed) = base {
                count = fixed.size
            } else {
                count = try reader.readLength()
            }
            guard count <= AvroDecimal.maximumByteCount else { throw .decimalTooLong(count, at: start) }
            let raw = try reader.readBytes(count: count)
            guard let decimal = AvroDecimal(twosComplement: raw, scale: scale) else { throw .decimalTooLong(count, at: start) }
            return .decimal(decimal)
        }

        /// Reads the blocks of an array or map: a count, then that many items, until a zero count.
        /// A negative count is followed by the block's size in bytes, which must match its items.
        private mutating func readBlocks(
            _ firstItemType: AvroSchema, depth: Int, item: (inout State) throws(AvroDecodingError) -> Void
        ) throws(AvroDecodingError) {
            let itemsMayBeEmpty = Self.mayEncodeEmpty(firstItemType, in: schema, visiting: [])
            while true {
                let countOffset = reader.offset
                var count = try reader.readLong()
                if count == 0 { return }
                var declaredSize: Int64?
                if count < 0 {
                    guard count != Int64.min else { throw .lengthTooLarge(count, at: countOffset) }
                    count = -count
                    declaredSize = Int64(try reader.readLength())
                }
                // Each item of a type that cannot be empty takes at least one byte.
                if !itemsMayBeEmpty, count > Int64(reader.remaining) { throw .lengthTooLarge(count, at: countOffset) }
                guard count <= Int64(decoder.maximumItems - items) else {
                    throw .tooManyItems(limit: decoder.maximumItems, at: countOffset)
                }
                items += Int(count)
                let blockStart = reader.position
                for _ in 0..<count {
                    try item(&self)
                }
                if let declaredSize, Int64(reader.position - blockStart) != declaredSize {
                    throw .blockSizeMismatch(declared: declaredSize, actual: reader.position - blockStart, at: countOffset)
                }
            }
        }

        /// True when a value of `type` can be encoded in zero bytes (null, fixed(0), records of such).
        private static func mayEncodeEmpty(_ type: AvroSchema, in schema: AvroParsedSchema, visiting: Set<String>) -> Bool {
            switch type {
            case .null: return true
            case .fixed(let fixed): return fixed.size == 0
            case .logical(_, let base): return mayEncodeEmpty(base, in: schema, visiting: visiting)
            case .record(let record):
                guard !visiting.contains(record.name) else { return false }
                let inner = visiting.union([record.name])
                return record.fields.allSatisfy { mayEncodeEmpty($0.schema, in: schema, visiting: inner) }
            case .named(let name):
                guard !visiting.contains(name), let definition = schema.namedTypes[name] else { return false }
                return mayEncodeEmpty(definition, in: schema, visiting: visiting)
            default: return false
            }
        }
    }
}
