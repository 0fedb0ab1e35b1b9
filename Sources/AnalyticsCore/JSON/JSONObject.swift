/// A JSON object: its members in document order, with lookup by key.
///
/// When a key occurs more than once, lookups return the last occurrence (as most JSON readers do);
/// ``members`` keeps them all.
public struct JSONObject: Hashable, Sendable {
    /// One `"key": value` member.
    public struct Member: Hashable, Sendable {
        /// The decoded key.
        public var key: String
        /// The value.
        public var value: JSONValue

        /// Creates a member.
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in document order.
    public var members: [Member]

    /// Creates an object from its members.
    public init(members: [Member] = []) {
        self.members = members
    }

    /// The value of the last member named `key`, or nil when absent.
    public subscript(key: String) -> JSONValue? {
        for member in members.reversed() where member.key == key {
            return member.value
        }
        return nil
    }

    /// The distinct keys in first-occurrence order.
    public var keys: [String] {
        var seen = Set<String>()
        return members.compactMap { seen.insert($0.key).inserted ? $0.key : nil }
    }
}
