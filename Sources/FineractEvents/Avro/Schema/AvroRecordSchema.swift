// Hand-written (see AvroSchema.swift).

/// A record type: a fullname and its fields in declaration (and wire) order.
public struct AvroRecordSchema: Hashable, Sendable {
    /// One field of a record.
    public struct Field: Hashable, Sendable {
        /// The field's name.
        public var name: String
        /// The field's schema.
        public var schema: AvroSchema

        /// Creates a field.
        public init(name: String, schema: AvroSchema) {
            self.name = name
            self.schema = schema
        }
    }

    /// The fullname (namespace and name, dot-separated).
    public var name: String
    /// The fields in declaration order.
    public var fields: [Field]

    /// Creates a record type.
    public init(name: String, fields: [Field]) {
        self.name = name
        self.fields = fields
    }
}
