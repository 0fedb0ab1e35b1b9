// Hand-written (see AvroSchema.swift).

/// An enum type: a fullname and its symbols (the wire carries the zero-based index).
public struct AvroEnumSchema: Hashable, Sendable {
    /// The fullname.
    public var name: String
    /// The symbols in declaration order.
    public var symbols: [String]

    /// Creates an enum type.
    public init(name: String, symbols: [String]) {
        self.name = name
        self.symbols = symbols
    }
}
