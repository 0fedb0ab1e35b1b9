/// The headers of a frame, in the order they were received or will be sent.
///
/// A name may repeat; STOMP 1.2 says only the first occurrence counts, which is what the subscript
/// returns. Names and values are stored unescaped.
public struct StompHeaders: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    /// The entries, in order.
    public private(set) var entries: [(name: String, value: String)]

    /// No headers.
    public init() { entries = [] }

    /// The given headers, in order.
    public init(_ entries: [(name: String, value: String)]) { self.entries = entries }

    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The value of the first header called `name`, or nil; setting replaces the first one (or
    /// appends), and setting nil removes every header of that name.
    public subscript(name: String) -> String? {
        get { entries.first { $0.name == name }?.value }
        set {
            if let newValue {
                if let index = entries.firstIndex(where: { $0.name == name }) {
                    entries[index].value = newValue
                } else {
                    entries.append((name: name, value: newValue))
                }
            } else {
                entries.removeAll { $0.name == name }
            }
        }
    }

    /// Appends an entry (even when the name is present already).
    public mutating func append(_ name: String, _ value: String) {
        entries.append((name: name, value: value))
    }

    /// The number of entries.
    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        entries.makeIterator()
    }

    public static func == (lhs: StompHeaders, rhs: StompHeaders) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.name)
            hasher.combine(entry.value)
        }
    }
}
