/// One input record before validation: where it came from, its raw text, and its parsed value
/// (or why it could not be parsed).
public struct IngestEntry: Sendable {
    /// `line 12` (NDJSON, CSV) or `loans[3]` (batch document).
    public var location: String
    /// The record's kind when the shape says it (a batch list, a CSV table); nil to infer it.
    public var kind: RecordKind?
    /// The parsed record, or the parse error's message.
    public var value: Result<JSONValue, EntryParseError>
    /// The raw text as received (for `etl_rejects`); empty for batch elements (their JSON text
    /// is written when they are rejected).
    public var raw: String
    /// True for a CSV row: its problems are worded in terms of CSV cells (`CSVRecordMapper.explain`).
    public var isCSV: Bool
    /// The id to record when the entry is not a readable record (a Fineract loan rejected before
    /// validation, `etl_rejects.entity_id`); nil for the others.
    public var fallbackRecordId: String?
    /// The record as ``RecordDecoder`` already decoded it from `value` (nil for the others: the
    /// chunk decoder decodes them). See ``ValidatedRecord``.
    public var validated: ValidatedRecord?

    /// Creates an entry.
    public init(location: String, kind: RecordKind?, value: Result<JSONValue, EntryParseError>, raw: String, isCSV: Bool = false,
                fallbackRecordId: String? = nil) {
        self.fallbackRecordId = fallbackRecordId
        self.validated = nil
        self.location = location
        self.kind = kind
        self.value = value
        self.raw = raw
        self.isCSV = isCSV
    }

    /// The record's id field, when readable (for messages and `etl_rejects.entity_id`).
    public var recordId: String? {
        guard let object else { return fallbackRecordId }
        let kind = self.kind ?? RecordKind.infer(from: object)
        return kind.flatMap { object[$0.idField]?.stringValue }
    }

    /// The parsed record when it is a JSON object.
    public var object: JSONObject? {
        guard case .success(let value) = value else { return nil }
        return value.objectValue
    }
}

/// Why an input record could not be read as JSON at all.
public struct EntryParseError: Error, Sendable {
    /// What is wrong, safe to show to the sender.
    public var message: String

    /// Creates an error.
    public init(message: String) {
        self.message = message
    }
}
