import AnalyticsStore

/// One response field of a row: its API name, the SQL that yields it as text, and how it is written.
///
/// Every SQL expression is a constant from the catalogs below; the API name is only ever used as a
/// quoted column alias, so nothing a client sends reaches SQL text.
struct FieldSpec: Sendable, Hashable {
    /// How a field's text value becomes JSON.
    enum Kind: Sendable, Hashable {
        /// A JSON string (text, dates, timestamps).
        case string
        /// A JSON number written exactly as PostgreSQL prints it (money, ratios, counts).
        case number
        /// `true`/`false`.
        case bool
        /// A phone number: masked to its last 4 digits for every role but admin.
        case phone
    }

    /// The API name.
    let name: String
    /// A constant SQL expression.
    let sql: String
    /// How it is written.
    let kind: Kind

    /// `<sql>::text AS "<name>"`.
    var selectItem: String { "(\(sql))::text AS \"\(name)\"" }
}

extension FieldSpec {
    /// Writes `"name":value` for each field of `fields`, the value by `value` (e.g. `write(_:into:maskPhones:)`),
    /// with a comma before every member but the first (when `first`).
    static func members(_ fields: [FieldSpec], into writer: inout JSONWriter, first: Bool = true,
                        value: (Int, FieldSpec, inout JSONWriter) throws -> Void) rethrows {
        for (i, field) in fields.enumerated() {
            writer.comma(if: !(first && i == 0))
            writer.key(field.name)
            try value(i, field, &writer)
        }
    }

    /// Writes this field's JSON value from its text (`selectItem`'s column; nil is SQL NULL).
    func write(_ value: String?, into writer: inout JSONWriter, maskPhones: Bool) {
        guard let value else {
            writer.raw("null")
            return
        }
        switch kind {
        case .string: writer.string(value)
        case .number: writer.raw(value)
        case .bool: writer.raw(value == "true" ? "true" : "false")
        case .phone: writer.string(maskPhones ? PhoneMask.mask(value) : value)
        }
    }
}

extension PostgresRow {
    /// Writes `"name":value` for each field of `fields` from this row (selected with `selectItem`).
    func render(_ fields: [FieldSpec], into writer: inout JSONWriter, maskPhones: Bool, first: Bool = true) throws {
        try FieldSpec.members(fields, into: &writer, first: first) { _, field, writer in
            field.write(try decode(String?.self, field.name), into: &writer, maskPhones: maskPhones)
        }
    }
}

/// PII masking of phone numbers (API.md): `+234-803-123-4567` becomes `***-***-4567`.
enum PhoneMask {
    /// The masked form: the last 4 digits after `***-***-`; fewer than 4 digits mask entirely.
    static func mask(_ phone: String) -> String {
        let digits = phone.unicodeScalars.filter { ("0"..."9").contains($0) }
        guard digits.count >= 4 else { return "***-***-****" }
        return "***-***-" + String(String.UnicodeScalarView(digits.suffix(4)))
    }
}
