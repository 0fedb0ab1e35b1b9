// Hand-written (see AvroSchema.swift).

/// A parsed writer schema: its root, every named type it can refer to, its Parsing Canonical Form
/// and its CRC-64-AVRO fingerprint (computed once, at creation).
public struct AvroParsedSchema: Sendable {
    /// The root schema (for a named type, usually ``AvroSchema/named(_:)`` or its definition).
    public let root: AvroSchema
    /// The definitions of named types, by fullname.
    public let namedTypes: [String: AvroSchema]
    /// The Parsing Canonical Form, per the Avro specification.
    public let canonicalForm: String
    /// The CRC-64-AVRO fingerprint of ``canonicalForm``.
    public let fingerprint: AvroFingerprint

    /// Creates a parsed schema; every ``AvroSchema/named(_:)`` in `root` must be in `namedTypes`.
    public init(root: AvroSchema, namedTypes: [String: AvroSchema]) {
        self.root = root
        self.namedTypes = namedTypes
        var writer = CanonicalFormWriter(namedTypes: namedTypes)
        writer.write(root)
        self.canonicalForm = writer.output
        self.fingerprint = AvroFingerprint(canonicalForm: writer.output)
    }

    /// The fullname of the root when it is a named type (`org.apache.fineract.avro.MessageV1`).
    public var name: String? {
        if case .named(let name) = root { return name }
        return root.definedName
    }

    /// Follows a ``AvroSchema/named(_:)`` reference to its definition; other schemas are returned as
    /// they are. Nil for a name with no definition.
    public func resolve(_ schema: AvroSchema) -> AvroSchema? {
        if case .named(let name) = schema { return namedTypes[name] }
        return schema
    }
}
