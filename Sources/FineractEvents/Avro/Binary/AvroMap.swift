// Hand-written (see Avro/Schema/AvroSchema.swift).

/// A decoded Avro `map`: values by key, with the keys in the order they came on the wire.
///
/// An Avro map's value does not depend on its order, so two maps are equal when they hold the same
/// keys and values in any order; the order is kept so that ``AvroEncoder`` writes a decoded map back
/// byte for byte. When a key repeats, the last value wins and the key keeps its first position (as
/// the reference implementations read it).
public struct AvroMap: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// The keys in wire (or insertion) order, each once.
    public private(set) var keys: [String] = []
    /// The values by key.
    public private(set) var dictionary: [String: AvroValue] = [:]

    /// An empty map.
    public init() {}

    /// A map of `entries` in their order (a repeated key: the last value wins).
    public init(_ entries: some Sequence<(String, AvroValue)>) {
        for (key, value) in entries { self[key] = value }
    }

    /// A map from a literal, in the literal's order.
    public init(dictionaryLiteral elements: (String, AvroValue)...) {
        self.init(elements)
    }

    /// The number of keys.
    public var count: Int { keys.count }

    /// True when the map has no key.
    public var isEmpty: Bool { keys.isEmpty }

    /// The entries in order.
    public var entries: [(key: String, value: AvroValue)] {
        keys.compactMap { key in dictionary[key].map { (key, $0) } }
    }

    /// The value of `key`, or nil. Setting nil removes the key; setting a new key appends it.
    public subscript(key: String) -> AvroValue? {
        get { dictionary[key] }
        set {
            if let newValue {
                if dictionary.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if dictionary.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Equal when the keys and values are, in any order.
    public static func == (lhs: AvroMap, rhs: AvroMap) -> Bool { lhs.dictionary == rhs.dictionary }

    /// Hashes the keys and values, not their order.
    public func hash(into hasher: inout Hasher) { hasher.combine(dictionary) }
}
