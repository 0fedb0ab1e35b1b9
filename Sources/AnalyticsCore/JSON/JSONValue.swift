/// A JSON document as read by ``JSONReader``, with numbers kept as their literal text.
///
/// Numbers are never converted to binary floating point here: money and rates are read from the
/// text with ``DecimalLiteral`` / ``Money/init(exactly:)``, so `0.1` stays one tenth.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its literal text (`"1234.50"`, `"-1e3"`), already checked against JSON's grammar.
    case number(String)
    /// A string with every escape decoded.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, members in document order.
    case object(JSONObject)

    /// The object, or nil for another kind of value.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The array, or nil for another kind of value.
    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// The string, or nil for another kind of value.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The literal text of a number, or nil for another kind of value.
    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    /// The boolean, or nil for another kind of value.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// True for `null`.
    public var isNull: Bool { self == .null }

    /// A short name of the value's kind for messages: `"a string"`, `"a number"`, ...
    public var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
