// Hand-written (see AvroSchema.swift).

/// Why an Avro schema (`.avsc` JSON) could not be parsed. The description names the schema element
/// at fault and what to fix; it never contains message data.
public struct AvroSchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case invalidJSON(String)
        case invalidSchema(String)
        case unknownType(String)
        case duplicateName(String)
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    static func invalidJSON(_ detail: String) -> AvroSchemaError { AvroSchemaError(.invalidJSON(detail)) }
    static func invalid(_ detail: String) -> AvroSchemaError { AvroSchemaError(.invalidSchema(detail)) }
    static func unknownType(_ name: String) -> AvroSchemaError { AvroSchemaError(.unknownType(name)) }
    static func duplicateName(_ name: String) -> AvroSchemaError { AvroSchemaError(.duplicateName(name)) }

    /// The type name that was referred to but never defined, if that is the problem.
    public var unknownTypeName: String? {
        if case .unknownType(let name) = code { return name }
        return nil
    }

    /// What is wrong and what to do.
    public var description: String {
        switch code {
        case .invalidJSON(let detail):
            return "Avro schema is not valid JSON (\(detail)): fix the .avsc file"
        case .invalidSchema(let detail):
            return "Avro schema is invalid: \(detail); fix the .avsc file"
        case .unknownType(let name):
            return "Avro schema refers to type '\(name)', which no schema in the set defines: add its .avsc file"
        case .duplicateName(let name):
            return "Avro schema defines '\(name)' twice: keep one definition"
        }
    }
}
