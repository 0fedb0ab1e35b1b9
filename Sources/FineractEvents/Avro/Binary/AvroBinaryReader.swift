// Hand-written (see Avro/Schema/AvroSchema.swift).

/// A cursor over Avro binary data: zig-zag varints, lengths checked against what remains before
/// anything is allocated, and fixed-size little-endian floats.
struct AvroBinaryReader {
    let bytes: [UInt8]
    private(set) var position: Int
    /// Added to positions in errors (where these bytes start in the whole message).
    let baseOffset: Int

    init(bytes: [UInt8], baseOffset: Int = 0) {
        self.bytes = bytes
        self.position = 0
        self.baseOffset = baseOffset
    }

    var remaining: Int { bytes.count - position }
    var offset: Int { baseOffset + position }

    mutating func readByte() throws(AvroDecodingError) -> UInt8 {
        guard position < bytes.count else { throw .truncated(needed: 1, at: offset) }
        defer { position += 1 }
        return bytes[position]
    }

    /// A zig-zag encoded `long`: at most 10 bytes, and the 10th may only carry the 64th bit.
    mutating func readLong() throws(AvroDecodingError) -> Int64 {
        let start = offset
        var raw: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63, byte > 1 { throw .varintTooLong(at: start) }
            raw |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            if shift > 63 { throw .varintTooLong(at: start) }
        }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A zig-zag encoded `int`: a `long` that must fit in 32 bits.
    mutating func readInt() throws(AvroDecodingError) -> Int32 {
        let start = offset
        let value = try readLong()
        guard let int = Int32(exactly: value) else { throw .intOutOfRange(at: start) }
        return int
    }

    /// A length (of bytes, a string, or a block in bytes): non-negative and within what remains.
    mutating func readLength() throws(AvroDecodingError) -> Int {
        let start = offset
        let length = try readLong()
        guard length >= 0 else { throw .negativeLength(length, at: start) }
        guard length <= Int64(remaining) else { throw .lengthTooLarge(length, at: start) }
        return Int(length)
    }

    mutating func readBytes(count: Int) throws(AvroDecodingError) -> [UInt8] {
        guard count <= remaining else { throw .truncated(needed: count - remaining, at: offset) }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func readFixedWidth(_ count: Int) throws(AvroDecodingError) -> UInt64 {
        guard count <= remaining else { throw .truncated(needed: count - remaining, at: offset) }
        var value: UInt64 = 0
        for index in 0..<count {
            value |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += count
        return value
    }
}
