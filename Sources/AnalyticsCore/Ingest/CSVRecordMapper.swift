/// Maps a CSV row onto the JSON shape the validators read: empty cells are null, money and counts
/// become numbers, flags become booleans. A cell that does not look like its type is passed on as
/// a string, so validation reports it naming the field.
public enum CSVRecordMapper {
    /// Columns read as numbers (money, rates, counts).
    public static let numericFields: Set<String> = [
        "loan_amount", "interest_rate", "fee_amount", "loan_term_days", "repayment_every_days",
        "payment_amount", "principal_paid", "interest_paid", "fees_paid", "penalty_paid", "waiver_amount",
        "dpd_at_payment",
    ]
    /// Columns read as yes/no flags.
    public static let booleanFields: Set<String> = ["is_backdated", "is_reversed", "has_float_gap", "is_active"]

    /// The entry of one CSV row of `kind` (`line` is where the row starts, the header being line 1).
    public static func entry(kind: RecordKind, header: [String], fields: [String], raw: String, line: Int) -> IngestEntry {
        guard fields.count == header.count else {
            return IngestEntry(location: "line \(line)", kind: kind,
                               value: .failure(EntryParseError(message: "CSV: the row has \(fields.count) fields, the header has \(header.count)")),
                               raw: raw)
        }
        var members: [JSONObject.Member] = []
        for (name, cell) in zip(header, fields) {
            members.append(JSONObject.Member(key: name, value: value(of: cell, field: name)))
        }
        return IngestEntry(location: "line \(line)", kind: kind, value: .success(.object(JSONObject(members: members))), raw: raw,
                           isCSV: true)
    }

    /// Whole-number columns (the rest of `numericFields` take decimals).
    public static let integerFields: Set<String> = ["loan_term_days", "repayment_every_days", "dpd_at_payment"]

    /// Words a validation problem in terms of the CSV row: a cell that is not a number or a flag
    /// is named with its column and its text, not as a JSON type ("must be a number, not a string"
    /// says nothing to someone who wrote a spreadsheet). Other problems are kept as they are.
    public static func explain(_ problem: ValidationProblem, in row: JSONObject) -> ValidationProblem {
        let field = problem.field
        guard case .string(let cell)? = row[field] else { return problem }
        let shown = cell.count > 40 ? String(cell.prefix(40)) + "…" : cell
        var explained = problem
        if numericFields.contains(field) {
            let expected = integerFields.contains(field) ? "a whole number" : "a number (digits, '.' for decimals, no thousands separators)"
            explained.message = "\(field): the CSV column '\(field)' holds '\(shown)', which is not \(expected)"
        } else if booleanFields.contains(field) {
            explained.message = "\(field): the CSV column '\(field)' holds '\(shown)'; use true/false, t/f, 1/0 or yes/no"
        }
        return explained
    }

    /// The JSON value of one cell of column `field`.
    public static func value(of cell: String, field: String) -> JSONValue {
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
