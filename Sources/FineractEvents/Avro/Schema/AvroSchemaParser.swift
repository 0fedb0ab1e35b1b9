// Hand-written (see AvroSchema.swift).
import AnalyticsCore

/// Parses Avro schema JSON (`.avsc`) into ``AvroSchema`` values, with the specification's namespace
/// rules: a dotted name is a fullname; otherwise the `namespace` attribute, else the enclosing named
/// type's namespace, qualifies it; a reference without a dot is looked up in the enclosing namespace
/// first, then as given.
///
/// A parser remembers every named type it has defined, so documents that refer to each other (one
/// type per `.avsc` file, as Fineract keeps them) are parsed with ``parseSet(_:)`` in any order.
public struct AvroSchemaParser: Sendable {
    /// Every named type defined so far, by fullname.
    public internal(set) var namedTypes: [String: AvroSchema] = [:]
    /// Names whose definition is being parsed (a record may refer to itself).
    var inProgress: Set<String> = []
    /// Top-level definitions of other documents of the set, parsed when first referred to.
    var pending: [String: JSONValue] = [:]

    private static let primitives: [String: AvroSchema] = [
        "null": .null, "boolean": .boolean, "int": .int, "long": .long,
        "float": .float, "double": .double, "bytes": .bytes, "string": .string,
    ]

    /// Creates a parser that knows no named types yet.
    public init() {}

    /// Parses one document; named types defined by earlier calls on this parser may be referred to.
    public mutating func parse(_ bytes: some Collection<UInt8>) throws(AvroSchemaError) -> AvroParsedSchema {
        let json = try Self.readJSON(bytes)
        let root = try parseType(json, enclosing: nil)
        return AvroParsedSchema(root: root, namedTypes: namedTypes)
    }

    /// Parses one document given as text.
    public mutating func parse(_ text: String) throws(AvroSchemaError) -> AvroParsedSchema {
        try parse(Array(text.utf8))
    }

    /// Parses documents that refer to each other's named types, in any order; returns one parsed
    /// schema per document, in the order given, each knowing every named type of the set.
    public static func parseSet(_ documents: [[UInt8]]) throws(AvroSchemaError) -> [AvroParsedSchema] {
        var parser = AvroSchemaParser()
        var jsons: [(json: JSONValue, name: String?)] = []
        for document in documents {
            let json = try readJSON(document)
            let name = try topLevelName(json)
            if let name {
                guard parser.pending[name] == nil else { throw .duplicateName(name) }
                parser.pending[name] = json
            }
            jsons.append((json, name))
        }
        var roots: [AvroSchema] = []
        for (json, name) in jsons {
            if let name {
                // Parsed already when an earlier document referred to it.
                if parser.pending[name] != nil {
                    parser.pending[name] = nil
                    _ = try parser.parseType(json, enclosing: nil)
                }
                roots.append(.named(name))
            } else {
                roots.append(try parser.parseType(json, enclosing: nil))
            }
        }
        return roots.map { AvroParsedSchema(root: $0, namedTypes: parser.namedTypes) }
    }

    private static func readJSON(_ bytes: some Collection<UInt8>) throws(AvroSchemaError) -> JSONValue {
        do throws(JSONError) {
            return try JSONReader(maximumDepth: 256).parse(bytes)
        } catch {
            throw .invalidJSON(error.description)
        }
    }

    /// The fullname a document's top-level object defines, if it defines one.
    private static func topLevelName(_ json: JSONValue) throws(AvroSchemaError) -> String? {
        guard let object = json.objectValue, let type = object["type"]?.stringValue,
              ["record", "error", "enum", "fixed"].contains(type) else { return nil }
        return try qualify(object, enclosing: nil).fullName
    }

    mutating func parseType(_ json: JSONValue, enclosing: String?) throws(AvroSchemaError) -> AvroSchema {
        switch json {
        case .string(let name):
            if let primitive = Self.primitives[name] { return primitive }
            return try reference(name, enclosing: enclosing)
        case .array(let branches):
            return try parseUnion(branches, enclosing: enclosing)
        case .object(let object):
            return try parseObject(object, enclosing: enclosing)
        default:
            throw .invalid("a schema must be a string, an array or an object, not \(json.kindDescription)")
        }
    }

    private mutating func parseObject(_ object: JSONObject, enclosing: String?) throws(AvroSchemaError) -> AvroSchema {
        guard let typeValue = object["type"] else { throw .invalid("an object schema has no \"type\"") }
        let base: AvroSchema
        switch typeValue {
        case .string(let type):
            switch type {
            case "record", "error": base = try parseRecord(object, enclosing: enclosing)
            case "enum": base = try parseEnum(object, enclosing: enclosing)
            case "fixed": base = try parseFixed(object, enclosing: enclosing)
            case "array":
                guard let items = object["items"] else { throw .invalid("an array schema has no \"items\"") }
                base = .array(items: try parseType(items, enclosing: enclosing))
            case "map":
                guard let values = object["values"] else { throw .invalid("a map schema has no \"values\"") }
                base = .map(values: try parseType(values, enclosing: enclosing))
            default:
                base = try parseType(typeValue, enclosing: enclosing)
            }
        default:
            base = try parseType(typeValue, enclosing: enclosing)
        }
        // A named type's logical type was attached at its definition (references must see it too).
        if base.definedName != nil { return base }
        return Self.applyLogicalType(object, to: base)
    }

    private mutating func parseUnion(_ branches: [JSONValue], enclosing: String?) throws(AvroSchemaError) -> AvroSchema {
        var parsed: [AvroSchema] = []
        var keys: Set<String> = []
        for branch in branches {
            let schema = try parseType(branch, enclosing: enclosing)
            let key = try unionKey(schema)
            guard keys.insert(key).inserted else {
                throw .invalid("a union has two branches of type '\(key)'")
            }
            parsed.append(schema)
        }
        return .union(parsed)
    }

    private func unionKey(_ schema: AvroSchema) throws(AvroSchemaError) -> String {
        switch schema {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array: return "array"
        case .map: return "map"
        case .union: throw .invalid("a union may not directly contain a union")
        case .named(let name): return name
        case .record(let record): return record.name
        case .enumeration(let enumeration): return enumeration.name
        case .fixed(let fixed): return fixed.name
        case .logical(_, let base): return try unionKey(base)
        }
    }

    private mutating func reference(_ name: String, enclosing: String?) throws(AvroSchemaError) -> AvroSchema {
        var candidates: [String] = []
        if !name.contains("."), let enclosing, !enclosing.isEmpty { candidates.append("\(enclosing).\(name)") }
        candidates.append(name)
        for candidate in candidates {
            if namedTypes[candidate] != nil || inProgress.contains(candidate) { return .named(candidate) }
            if let json = pending.removeValue(forKey: candidate) {
                _ = try parseType(json, enclosing: nil)
                return .named(candidate)
            }
        }
        throw .unknownType(name)
    }
}
