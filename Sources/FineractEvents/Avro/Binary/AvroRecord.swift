// Hand-written (see Avro/Schema/AvroSchema.swift).

/// A decoded record: its fullname and its fields in schema order.
public struct AvroRecord: Hashable, Sendable {
    /// One field's name and value.
    public struct Field: Hashable, Sendable {
        /// The field's name.
        public var name: String
        /// The field's value.
        public var value: AvroValue

        /// Creates a field.
        public init(name: String, value: AvroValue) {
            self.name = name
            self.value = value
        }
    }

    /// The record type's fullname.
    public var name: String
    /// The fields in schema order.
    public var fields: [Field]

    /// Creates a record value.
    public init(name: String, fields: [Field]) {
        self.name = name
        self.fields = fields
    }

    /// The value of the field `name`, or nil when the record has no such field.
    public subscript(name: String) -> AvroValue? {
        fields.first { $0.name == name }?.value
    }
}
