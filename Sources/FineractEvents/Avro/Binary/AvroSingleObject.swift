// Hand-written (see Avro/Schema/AvroSchema.swift).

/// Avro single-object encoding (Avro specification, "Single-object encoding"): the marker `C3 01`,
/// the writer schema's 8-byte little-endian CRC-64-AVRO fingerprint, then the binary body.
public struct AvroSingleObject: Hashable, Sendable {
    /// The two marker bytes.
    public static let marker: [UInt8] = [0xC3, 0x01]
    /// The length of marker and fingerprint together: where the body starts.
    public static let headerLength = 10

    /// The writer schema's fingerprint.
    public let fingerprint: AvroFingerprint
    /// The binary-encoded value.
    public let body: [UInt8]

    /// Splits a single-object payload into fingerprint and body.
    public init(_ bytes: some Collection<UInt8>) throws(AvroDecodingError) {
        let array = Array(bytes)
        guard array.count >= 2, array[0] == Self.marker[0], array[1] == Self.marker[1] else {
            throw .notSingleObject()
        }
        guard array.count >= Self.headerLength else {
            throw .truncated(needed: Self.headerLength - array.count, at: array.count)
        }
        self.fingerprint = AvroFingerprint(littleEndianBytes: array[2..<Self.headerLength])
        self.body = Array(array[Self.headerLength...])
    }

    /// Creates a payload from its parts.
    public init(fingerprint: AvroFingerprint, body: [UInt8]) {
        self.fingerprint = fingerprint
        self.body = body
    }

    /// The encoded payload: marker, fingerprint, body.
    public var encoded: [UInt8] {
        Self.marker + fingerprint.littleEndianBytes + body
    }
}
