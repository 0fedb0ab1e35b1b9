/// Why ``FineractMessageBuilder`` could not build a message. Names schemas, fields and releases,
/// never the payload's values.
public struct FineractMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unknownRelease(String, known: [String])
        case missingSchema(String, release: String)
        case unknownField(String, record: String)
        case amountOutOfRange(field: String)
        case encoding(AvroEncodingError)
        case schemas(AvroSchemaError)
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    static func unknownRelease(_ release: String, known: [String]) -> Self { Self(.unknownRelease(release, known: known)) }
    static func missingSchema(_ name: String, release: String) -> Self { Self(.missingSchema(name, release: release)) }
    static func unknownField(_ name: String, record: String) -> Self { Self(.unknownField(name, record: record)) }
    static func amountOutOfRange(field: String) -> Self { Self(.amountOutOfRange(field: field)) }
    static func encoding(_ error: AvroEncodingError) -> Self { Self(.encoding(error)) }
    static func schemas(_ error: AvroSchemaError) -> Self { Self(.schemas(error)) }

    /// The encoder's error, when the built value did not match the release's schema.
    public var encodingError: AvroEncodingError? {
        if case .encoding(let error) = code { return error }
        return nil
    }

    /// What is wrong and what to do.
    public var description: String {
        switch code {
        case .unknownRelease(let release, let known):
            return "no Fineract schema set for release \(release): use one of \(known.joined(separator: ", "))"
        case .missingSchema(let name, let release):
            return "the Fineract \(release) schema set has no \(name): add it to FineractSchemaSets"
        case .unknownField(let name, let record):
            return "the builder sets field '\(name)', which \(record) does not have in this release: fix the builder"
        case .amountOutOfRange(let field):
            return "the amount of \(field) does not fit an Avro decimal of scale 8"
        case .encoding(let error):
            return "the built Fineract message does not match its schema: \(error.description)"
        case .schemas(let error):
            return "the Fineract schema sets do not parse: \(error)"
        }
    }
}
