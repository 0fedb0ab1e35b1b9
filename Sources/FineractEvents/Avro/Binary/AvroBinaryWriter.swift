// Hand-written (see Avro/Schema/AvroSchema.swift).

/// Appends Avro binary data: zig-zag varints, length-prefixed bytes, little-endian fixed widths.
/// The inverse of ``AvroBinaryReader``.
struct AvroBinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// A `long` (or an `int`, which is written the same way), zig-zag encoded.
    mutating func writeLong(_ value: Int64) {
        var raw = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while raw >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: raw) | 0x80)
            raw >>= 7
        }
        bytes.append(UInt8(raw))
    }

    /// A length, then the bytes (`bytes`, `string`, a decimal over bytes).
    mutating func writeLengthPrefixed(_ data: some Collection<UInt8>) {
        writeLong(Int64(data.count))
        bytes.append(contentsOf: data)
    }

    /// Bytes as they are (`fixed`).
    mutating func writeRaw(_ data: some Collection<UInt8>) {
        bytes.append(contentsOf: data)
    }

    mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// The low `count` bytes of `value`, least significant first (`float`, `double`).
    mutating func writeFixedWidth(_ value: UInt64, count: Int) {
        for index in 0..<count {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }
}
