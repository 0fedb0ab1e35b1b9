// Hand-written (see AvroSchema.swift).
import AnalyticsCore

extension AvroSchemaParser {
    /// The fullname and namespace of a named type's definition.
    static func qualify(_ object: JSONObject, enclosing: String?) throws(AvroSchemaError) -> (fullName: String, namespace: String?) {
        guard let name = object["name"]?.stringValue, !name.isEmpty else {
            throw .invalid("a named type has no \"name\"")
        }
        let fullName: String
        let namespace: String?
        if let dot = name.lastIndex(of: ".") {
            fullName = name
            namespace = String(name[..<dot])
        } else {
            let explicit = object["namespace"]?.stringValue
            namespace = explicit ?? enclosing
            if let namespace, !namespace.isEmpty {
                fullName = "\(namespace).\(name)"
            } else {
                fullName = name
            }
        }
        guard fullName.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isValidName($0) }) else {
            throw .invalid("'\(fullName)' is not a valid Avro name")
        }
        return (fullName, namespace)
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first else { return false }
        func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        guard letter(first) else { return false }
        return name.utf8.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
    }

    private mutating func beginDefinition(_ fullName: String) throws(AvroSchemaError) {
        guard namedTypes[fullName] == nil, !inProgress.contains(fullName) else { throw .duplicateName(fullName) }
        inProgress.insert(fullName)
    }

    private mutating func endDefinition(_ fullName: String, _ schema: AvroSchema) {
        inProgress.remove(fullName)
        namedTypes[fullName] = schema
    }

    mutating func parseRecord(_ object: JSONObject, enclosing: String?) throws(AvroSchemaError) -> AvroSchema {
        let (fullName, namespace) = try Self.qualify(object, enclosing: enclosing)
        guard let fieldsJSON = object["fields"]?.arrayValue else {
            throw .invalid("record '\(fullName)' has no \"fields\" array")
        }
        try beginDefinition(fullName)
        var fields: [AvroRecordSchema.Field] = []
        var names: Set<String> = []
        for fieldJSON in fieldsJSON {
            guard let field = fieldJSON.objectValue, let name = field["name"]?.stringValue,
                  Self.isValidName(Substring(name)) else {
                throw .invalid("record '\(fullName)' has a field without a valid \"name\"")
            }
            guard names.insert(name).inserted else { throw .invalid("record '\(fullName)' has two fields named '\(name)'") }
            guard let type = field["type"] else { throw .invalid("field '\(name)' of '\(fullName)' has no \"type\"") }
            fields.append(.init(name: name, schema: try parseType(type, enclosing: namespace)))
        }
        let schema = AvroSchema.record(AvroRecordSchema(name: fullName, fields: fields))
        endDefinition(fullName, schema)
        return schema
    }

    mutating func parseEnum(_ object: JSONObject, enclosing: String?) throws(AvroSchemaError) -> AvroSchema {
        let (fullName, _) = try Self.qualify(object, enclosing: enclosing)
        guard let symbolsJSON = object["symbols"]?.arrayValue else {
            throw .invalid("enum '\(fullName)' has no \"symbols\" array")
        }
        var symbols: [String] = []
        for symbol in symbolsJSON {
            guard let text = symbol.stringValue, Self.isValidName(Substring(text)), !symbols.contains(text) else {
                throw .invalid("enum '\(fullName)' has an invalid or repeated symbol")
            }
            symbols.append(text)
        }
        try beginDefinition(fullName)
        let schema = AvroSchema.enumeration(AvroEnumSchema(name: fullName, symbols: symbols))
        endDefinition(fullName, schema)
        return schema
    }

    mutating func parseFixed(_ object: JSONObject, enclosing: String?) throws(AvroSchemaError) -> AvroSchema {
        let (fullName, _) = try Self.qualify(object, enclosing: enclosing)
        guard let size = Self.integer(object["size"]), size >= 0 else {
            throw .invalid("fixed '\(fullName)' has no valid \"size\"")
        }
        try beginDefinition(fullName)
        let schema = Self.applyLogicalType(object, to: .fixed(AvroFixedSchema(name: fullName, size: size)))
        endDefinition(fullName, schema)
        return schema
    }

    /// A JSON integer literal (no fraction, no exponent) that fits `Int`.
    static func integer(_ value: JSONValue?) -> Int? {
        guard let text = value?.numberText, let literal = DecimalLiteral(text),
              let scaled = literal.scaled(toPlaces: 0), !text.contains("."), !text.contains("e"), !text.contains("E") else {
            return nil
        }
        return Int(exactly: scaled)
    }
}
