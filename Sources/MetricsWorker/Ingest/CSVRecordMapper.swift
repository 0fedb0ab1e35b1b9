import AnalyticsCore

/// Maps a CSV row onto the JSON shape the validators read: empty cells are null, money and counts
/// become numbers, flags become booleans. A cell that does not look like its type is passed on as
/// a string, so validation reports it naming the field.
enum CSVRecordMapper {
    static let numericFields: Set<String> = [
        "loan_amount", "interest_rate", "fee_amount", "loan_term_days", "repayment_every_days",
        "payment_amount", "principal_paid", "interest_paid", "fees_paid", "penalty_paid", "waiver_amount",
        "dpd_at_payment",
    ]
    static let booleanFields: Set<String> = ["is_backdated", "is_reversed", "has_float_gap", "is_active"]

    static func entry(kind: RecordKind, header: [String], fields: [String], raw: String, line: Int) -> IngestEntry {
        guard fields.count == header.count else {
            return IngestEntry(location: "line \(line)", kind: kind,
                               value: .failure(EntryParseError(message: "CSV: the row has \(fields.count) fields, the header has \(header.count)")),
                               raw: raw)
        }
        var members: [JSONObject.Member] = []
        for (name, cell) in zip(header, fields) {
            members.append(JSONObject.Member(key: name, value: value(of: cell, field: name)))
        }
        return IngestEntry(location: "line \(line)", kind: kind, value: .success(.object(JSONObject(members: members))), raw: raw)
    }

    static func value(of cell: String, field: String) -> JSONValue {
        if cell.isEmpty { return .null }
        if numericFields.contains(field), DecimalLiteral(cell) != nil { return .number(cell) }
        if booleanFields.contains(field) {
            switch cell.lowercased() {
            case "true", "t", "1", "yes": return .bool(true)
            case "false", "f", "0", "no": return .bool(false)
            default: return .string(cell)
            }
        }
        return .string(cell)
    }
}
