import AnalyticsCore

/// A record value under construction for ``FineractMessageBuilder``: every field of the schema's
/// record, null to start with where the schema allows null. A field of another type left unset is
/// missing from the value, so the encoder refuses it; a field the record lacks is an error too.
struct FineractRecordDraft {
    private let name: String
    private let names: [String]
    private var values: [AvroValue?]
    private let index: [String: Int]
    private var unknown: [String] = []

    /// A draft of the record `fullname`, defined in `schema`.
    init(_ fullname: String, in schema: AvroParsedSchema) throws(FineractMessageError) {
        guard case .record(let record)? = schema.namedTypes[fullname] else {
            throw .missingSchema(fullname, release: "this")
        }
        self.name = record.name
        self.names = record.fields.map(\.name)
        self.values = record.fields.map { field in
            if case .union(let branches) = field.schema, branches.contains(.null) { return .null }
            return nil
        }
        var index: [String: Int] = [:]
        for (position, field) in record.fields.enumerated() { index[field.name] = position }
        self.index = index
    }

    /// Whether the record has the field (fields differ between releases).
    func has(_ field: String) -> Bool { index[field] != nil }

    /// Sets a field; nil writes null.
    mutating func set(_ field: String, _ value: AvroValue?) {
        guard let position = index[field] else {
            unknown.append(field)
            return
        }
        values[position] = value ?? .null
    }

    mutating func set(_ field: String, _ text: String?) { set(field, text.map(AvroValue.string)) }
    mutating func set(_ field: String, _ number: Int64?) { set(field, number.map(AvroValue.long)) }
    mutating func set(_ field: String, _ number: Int32?) { set(field, number.map(AvroValue.int)) }
    mutating func set(_ field: String, _ flag: Bool?) { set(field, flag.map(AvroValue.boolean)) }
    mutating func set(_ field: String, _ date: CalendarDate?) { set(field, date.map { AvroValue.string($0.description) }) }

    /// Sets a decimal field (scale 8, as Fineract's `bigdecimal`) from an amount.
    mutating func set(_ field: String, _ money: Money?) throws(FineractMessageError) {
        guard let money else { return set(field, AvroValue.null) }
        guard let decimal = AvroDecimal(money, scale: 8) else { throw .amountOutOfRange(field: field) }
        set(field, AvroValue.decimal(decimal))
    }

    /// Sets a decimal field from a decimal text (`24`, `18.5`).
    mutating func set(_ field: String, decimal text: String?) throws(FineractMessageError) {
        guard let text else { return set(field, AvroValue.null) }
        guard let decimal = AvroDecimal(text, scale: 8) else { throw .amountOutOfRange(field: field) }
        set(field, AvroValue.decimal(decimal))
    }

    /// The record value (the fields set or nullable, in schema order).
    func value() throws(FineractMessageError) -> AvroValue {
        if let first = unknown.first { throw .unknownField(first, record: name) }
        var fields: [AvroRecord.Field] = []
        fields.reserveCapacity(names.count)
        for (field, value) in zip(names, values) {
            if let value { fields.append(.init(name: field, value: value)) }
        }
        return .record(AvroRecord(name: name, fields: fields))
    }
}
