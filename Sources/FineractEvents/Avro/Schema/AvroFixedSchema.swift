// Hand-written (see AvroSchema.swift).

/// A fixed type: a fullname and a size in bytes.
public struct AvroFixedSchema: Hashable, Sendable {
    /// The fullname.
    public var name: String
    /// The number of bytes every value has.
    public var size: Int

    /// Creates a fixed type.
    public init(name: String, size: Int) {
        self.name = name
        self.size = size
    }
}
