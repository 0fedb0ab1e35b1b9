// Hand-written (see Avro/Schema/AvroSchema.swift).

/// Why a value could not be encoded with a schema: what does not match and where (the field path,
/// e.g. `$.transactionRelations[0].amount`). The description names types, fields and limits only,
/// never the value's content.
public struct AvroEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case mismatch(expected: String, found: String)
        case recordName(expected: String, found: String)
        case missingField(String)
        case unknownField(String)
        case unknownSymbol(enumeration: String, symbols: Int)
        case fixedSize(expected: Int, actual: Int)
        case decimalScale(Int)
        case decimalPrecision(precision: Int, digits: Int)
        case decimalTooWide(size: Int)
        case noUnionBranch(found: String, branches: [String])
        case unresolvedType(String)
    }

    private let code: Code
    /// Where in the value: `$` is the root, `.name` a record field, `[n]` an array item, `{}` a map
    /// value (map keys are data and are not shown).
    public private(set) var path: String

    private init(_ code: Code) {
        self.code = code
        self.path = "$"
    }

    static func mismatch(expected: String, found: AvroValue) -> Self { Self(.mismatch(expected: expected, found: found.kindName)) }
    static func recordName(expected: String, found: String) -> Self { Self(.recordName(expected: expected, found: found)) }
    static func missingField(_ name: String) -> Self { Self(.missingField(name)) }
    static func unknownField(_ name: String) -> Self { Self(.unknownField(name)) }
    static func unknownSymbol(enumeration: String, symbols: Int) -> Self { Self(.unknownSymbol(enumeration: enumeration, symbols: symbols)) }
    static func fixedSize(expected: Int, actual: Int) -> Self { Self(.fixedSize(expected: expected, actual: actual)) }
    static func decimalScale(_ scale: Int) -> Self { Self(.decimalScale(scale)) }
    static func decimalPrecision(_ precision: Int, digits: Int) -> Self { Self(.decimalPrecision(precision: precision, digits: digits)) }
    static func decimalTooWide(size: Int) -> Self { Self(.decimalTooWide(size: size)) }
    static func noUnionBranch(found: AvroValue, branches: [String]) -> Self { Self(.noUnionBranch(found: found.kindName, branches: branches)) }
    static func unresolvedType(_ name: String) -> Self { Self(.unresolvedType(name)) }

    /// The same error one level further out: `component` is `.field`, `[n]` or `{}`.
    func inside(_ component: String) -> Self {
        var copy = self
        copy.path = "$" + component + path.dropFirst()
        return copy
    }

    /// True when a decimal needed more decimals than the schema's scale, more digits than its
    /// precision, or more bytes than its fixed size.
    public var isDecimalOutOfRange: Bool {
        switch code {
        case .decimalScale, .decimalPrecision, .decimalTooWide: return true
        default: return false
        }
    }

    /// True when a record value lacks a field of the schema.
    public var isMissingField: Bool {
        if case .missingField = code { return true }
        return false
    }

    /// What is wrong, where, and what to do.
    public var description: String {
        let problem: String
        switch code {
        case .mismatch(let expected, let found):
            problem = "the schema wants \(expected) but the value is \(found)"
        case .recordName(let expected, let found):
            problem = "the schema wants a record \(expected) but the value is a record \(found)"
        case .missingField(let name):
            problem = "the record value has no field '\(name)' (every field of the schema must be given; null where a union allows)"
        case .unknownField(let name):
            problem = "the record value has a field '\(name)' that the schema does not have"
        case .unknownSymbol(let enumeration, let symbols):
            problem = "the symbol is not one of the \(symbols) symbols of enum \(enumeration)"
        case .fixedSize(let expected, let actual):
            problem = "the fixed value has \(actual) bytes, the schema wants \(expected)"
        case .decimalScale(let scale):
            problem = "the decimal has non-zero digits beyond the schema's scale \(scale) (decimals are never rounded)"
        case .decimalPrecision(let precision, let digits):
            problem = "the decimal has \(digits) digits at the schema's scale, more than its precision \(precision)"
        case .decimalTooWide(let size):
            problem = "the decimal does not fit in the schema's \(size)-byte fixed"
        case .noUnionBranch(let found, let branches):
            problem = "the value is \(found), which none of the union's branches (\(branches.joined(separator: ", "))) takes"
        case .unresolvedType(let name):
            problem = "the schema refers to '\(name)', which it does not define"
        }
        return "Avro value does not match its schema at \(path): \(problem); build the value for this schema"
    }
}
