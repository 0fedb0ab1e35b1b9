// Hand-written (see Avro/Schema/AvroSchema.swift).

/// The writer schemas a consumer accepts, by CRC-64-AVRO fingerprint, each with the releases (schema
/// sets) that carry it. Decodes single-object payloads with the schema their fingerprint names, and
/// never guesses: an unknown fingerprint is an error carrying the fingerprint.
public struct AvroSchemaRegistry: Sendable {
    /// One registered writer schema.
    public struct Entry: Sendable {
        /// The parsed schema.
        public let schema: AvroParsedSchema
        /// The schema sets (e.g. Fineract releases `1.9.0`, `1.10.1`) that carry it, in registration order.
        public fileprivate(set) var releases: [String]

        /// The root's fullname, e.g. `org.apache.fineract.avro.loan.v1.LoanTransactionDataV1`.
        public var name: String? { schema.name }
    }

    private var entries: [AvroFingerprint: Entry] = [:]
    /// The decoder used for bodies.
    public var decoder: AvroDecoder

    /// Creates an empty registry.
    public init(decoder: AvroDecoder = AvroDecoder()) {
        self.decoder = decoder
    }

    /// Registers a schema under a release; the same schema (same fingerprint) in several releases
    /// is one entry naming all of them.
    public mutating func register(_ schema: AvroParsedSchema, release: String) {
        if var entry = entries[schema.fingerprint] {
            if !entry.releases.contains(release) { entry.releases.append(release) }
            entries[schema.fingerprint] = entry
        } else {
            entries[schema.fingerprint] = Entry(schema: schema, releases: [release])
        }
    }

    /// The entry for a fingerprint, or nil.
    public func entry(for fingerprint: AvroFingerprint) -> Entry? {
        entries[fingerprint]
    }

    /// The entries whose root has this fullname (one per distinct schema), in no particular order.
    public func entries(named name: String) -> [Entry] {
        entries.values.filter { $0.name == name }
    }

    /// Every registered fingerprint.
    public var fingerprints: Set<AvroFingerprint> { Set(entries.keys) }

    /// Decodes a single-object payload with the writer schema its fingerprint names.
    /// - Throws: ``AvroDecodingError`` for a missing marker, an unknown fingerprint (carrying it),
    ///   or a body that does not decode exactly with that schema.
    public func decodeSingleObject(_ bytes: some Collection<UInt8>) throws(AvroDecodingError) -> (entry: Entry, value: AvroValue) {
        let object = try AvroSingleObject(bytes)
        guard let entry = entries[object.fingerprint] else { throw .unknownFingerprint(object.fingerprint) }
        let value = try decoder.decode(object.body, as: entry.schema, baseOffset: AvroSingleObject.headerLength)
        return (entry, value)
    }
}
