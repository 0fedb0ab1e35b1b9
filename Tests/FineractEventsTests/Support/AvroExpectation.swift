import AnalyticsCore
import FineractEvents

/// Compares a decoded ``AvroValue`` with the generator's tagged JSON (`{"$int": 1}`, `{"$decimal":
/// "1.50000000"}`, `{"$record": name, "fields": [[name, value], ...]}`, ...). Returns the path of the
/// first difference, or nil when they match.
enum AvroExpectation {
    static func mismatch(_ value: AvroValue, _ expected: JSONValue, path: String = "$") -> String? {
        switch (value, expected) {
        case (.null, .null):
            return nil
        case (.boolean(let b), .bool(let e)):
            return b == e ? nil : path
        case (.string(let s), .string(let e)):
            return s == e ? nil : path
        case (.array(let items), .array(let expectedItems)):
            guard items.count == expectedItems.count else { return "\(path) (count \(items.count) vs \(expectedItems.count))" }
            for (index, pair) in zip(items, expectedItems).enumerated() {
                if let bad = mismatch(pair.0, pair.1, path: "\(path)[\(index)]") { return bad }
            }
            return nil
        case (_, .object(let object)):
            return mismatchTagged(value, object, path: path)
        default:
            return "\(path) (\(value) vs \(expected.kindDescription))"
        }
    }

    private static func mismatchTagged(_ value: AvroValue, _ object: JSONObject, path: String) -> String? {
        guard let key = object.keys.first else { return path }
        let tagged = object[key]
        switch (key, value) {
        case ("$int", .int(let v)): return sameNumber("\(v)", tagged) ? nil : path
        case ("$long", .long(let v)): return sameNumber("\(v)", tagged) ? nil : path
        case ("$float", .float(let v)): return sameNumber("\(Double(v))", tagged) ? nil : path
        case ("$double", .double(let v)): return sameNumber("\(v)", tagged) ? nil : path
        case ("$bytes", .bytes(let b)), ("$fixed", .fixed(let b)):
            return tagged?.stringValue.map(AvroFixtures.bytes(hex:)) == b ? nil : path
        case ("$enum", .enumeration(let symbol)):
            return tagged?.stringValue == symbol ? nil : path
        case ("$decimal", .decimal(let decimal)):
            return tagged?.stringValue == decimal.description ? nil : "\(path) (\(decimal) vs \(tagged?.stringValue ?? "?"))"
        case ("$map", .map(let map)):
            guard let expected = tagged?.objectValue, Set(expected.keys) == Set(map.keys) else { return "\(path) (keys)" }
            for member in expected.members {
                guard let actual = map[member.key] else { return path }
                if let bad = mismatch(actual, member.value, path: "\(path).\(member.key)") { return bad }
            }
            return nil
        case ("$record", .record(let record)):
            guard tagged?.stringValue == record.name, let fields = object["fields"]?.arrayValue,
                  fields.count == record.fields.count else { return "\(path) (record \(record.name))" }
            for (field, expected) in zip(record.fields, fields) {
                guard let pair = expected.arrayValue, pair.count == 2, pair[0].stringValue == field.name else {
                    return "\(path).\(field.name) (name)"
                }
                if let bad = mismatch(field.value, pair[1], path: "\(path).\(field.name)") { return bad }
            }
            return nil
        default:
            return "\(path) (\(key) vs \(value))"
        }
    }

    private static func sameNumber(_ text: String, _ expected: JSONValue?) -> Bool {
        guard let expectedText = expected?.numberText, let a = DecimalLiteral(text), let b = DecimalLiteral(expectedText) else {
            return false
        }
        return a == b
    }
}
