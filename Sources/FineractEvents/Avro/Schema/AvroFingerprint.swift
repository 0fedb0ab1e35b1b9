// Hand-written (see AvroSchema.swift).

/// A CRC-64-AVRO (64-bit Rabin) fingerprint of a schema's Parsing Canonical Form, as defined in the
/// Avro specification, "Schema Fingerprints". Single-object encoding carries it little-endian.
public struct AvroFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The fingerprint as the specification's `long` (its bits as an unsigned number).
    public let value: UInt64

    /// Wraps a fingerprint value.
    public init(value: UInt64) {
        self.value = value
    }

    /// The fingerprint from its 8 little-endian bytes (as in single-object encoding).
    public init(littleEndianBytes bytes: some Collection<UInt8>) {
        var value: UInt64 = 0
        for (index, byte) in bytes.prefix(8).enumerated() {
            value |= UInt64(byte) << (8 * UInt64(index))
        }
        self.value = value
    }

    /// Computes the fingerprint of a canonical form's UTF-8 bytes.
    public init(canonicalForm: String) {
        var fingerprint = Self.empty
        for byte in canonicalForm.utf8 {
            fingerprint = (fingerprint >> 8) ^ Self.table[Int((fingerprint ^ UInt64(byte)) & 0xff)]
        }
        self.value = fingerprint
    }

    /// The value as the signed 64-bit number Java and the specification's test vectors print.
    public var signedValue: Int64 { Int64(bitPattern: value) }

    /// The 8 bytes little-endian, as single-object encoding writes them.
    public var littleEndianBytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// The little-endian bytes in hexadecimal (the order they appear on the wire), e.g. `8a8f25cce724dd63`.
    public var description: String {
        littleEndianBytes.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    private static let empty: UInt64 = 0xc15d_213a_a4d7_a795

    private static let table: [UInt64] = (0..<256).map { index in
        var fingerprint = UInt64(index)
        for _ in 0..<8 {
            fingerprint = (fingerprint >> 1) ^ (empty & (0 &- (fingerprint & 1)))
        }
        return fingerprint
    }
}
