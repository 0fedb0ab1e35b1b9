// Hand-written (see AvroSchema.swift).

/// Writes Parsing Canonical Form (Avro specification, "Transforming into Parsing Canonical Form"):
/// primitives in their simple form, fullnames without namespaces, only the attributes type, name,
/// fields, symbols, items, values and size, in the order name, type, fields, symbols, items,
/// values, size, no whitespace. A named type is written in full at its first occurrence in the
/// depth-first, left-to-right walk and as its quoted fullname afterwards (as the reference
/// implementation's `SchemaNormalization` does). Logical types are not part of the form.
struct CanonicalFormWriter {
    let namedTypes: [String: AvroSchema]
    private(set) var output = ""
    private var written: Set<String> = []

    init(namedTypes: [String: AvroSchema]) {
        self.namedTypes = namedTypes
    }

    mutating func write(_ schema: AvroSchema) {
        switch schema {
        case .null: output += "\"null\""
        case .boolean: output += "\"boolean\""
        case .int: output += "\"int\""
        case .long: output += "\"long\""
        case .float: output += "\"float\""
        case .double: output += "\"double\""
        case .bytes: output += "\"bytes\""
        case .string: output += "\"string\""
        case .logical(_, let base): write(base)
        case .union(let branches):
            output += "["
            for (index, branch) in branches.enumerated() {
                if index > 0 { output += "," }
                write(branch)
            }
            output += "]"
        case .array(let items):
            output += "{\"type\":\"array\",\"items\":"
            write(items)
            output += "}"
        case .map(let values):
            output += "{\"type\":\"map\",\"values\":"
            write(values)
            output += "}"
        case .named(let name):
            if written.contains(name) {
                output += "\"\(name)\""
            } else if let definition = namedTypes[name] {
                write(definition)
            } else {
                // Unreachable for schemas made by AvroSchemaParser; keeps the form total.
                output += "\"\(name)\""
            }
        case .record(let record):
            guard begin(record.name, type: "record") else { return }
            output += ",\"fields\":["
            for (index, field) in record.fields.enumerated() {
                if index > 0 { output += "," }
                output += "{\"name\":\"\(field.name)\",\"type\":"
                write(field.schema)
                output += "}"
            }
            output += "]}"
        case .enumeration(let enumeration):
            guard begin(enumeration.name, type: "enum") else { return }
            output += ",\"symbols\":["
            output += enumeration.symbols.map { "\"\($0)\"" }.joined(separator: ",")
            output += "]}"
        case .fixed(let fixed):
            guard begin(fixed.name, type: "fixed") else { return }
            output += ",\"size\":\(fixed.size)}"
        }
    }

    /// Writes the opening of a named type's definition and returns true, or writes its quoted name
    /// and returns false when it was written before.
    private mutating func begin(_ name: String, type: String) -> Bool {
        guard written.insert(name).inserted else {
            output += "\"\(name)\""
            return false
        }
        output += "{\"name\":\"\(name)\",\"type\":\"\(type)\""
        return true
    }
}
