import AnalyticsCore

/// One input record before validation: where it came from, its raw text, and its parsed value
/// (or why it could not be parsed).
struct IngestEntry: Sendable {
    /// `line 12` (NDJSON, CSV) or `loans[3]` (batch document).
    var location: String
    /// The record's kind when the shape says it (a batch list, a CSV table); nil to infer it.
    var kind: RecordKind?
    /// The parsed record, or the parse error's message.
    var value: Result<JSONValue, EntryParseError>
    /// The raw text as received (for `etl_rejects`); filled lazily for batch elements.
    var raw: String
    /// True for a CSV row: its problems are worded in terms of CSV cells (`CSVRecordMapper.explain`).
    var isCSV = false

    /// The record's id field, when readable (for messages and `etl_rejects.entity_id`).
    var recordId: String? {
        guard case .success(let value) = value, let object = value.objectValue else { return nil }
        let kind = self.kind ?? RecordKind.infer(from: object)
        return kind.flatMap { object[$0.idField]?.stringValue }
    }
}

/// Why an input record could not be read as JSON at all.
struct EntryParseError: Error, Sendable {
    var message: String
}
