/// The outcome of decoding one record: the record when it is valid, every problem otherwise, and
/// the fields the service does not know (ignored, but counted in the ingest summary).
public struct DecodedRecord<Record: Sendable>: Sendable {
    /// The record; nil when there is at least one problem.
    public var record: Record?
    /// Every problem found (empty when valid).
    public var problems: [ValidationProblem]
    /// Names of the unknown fields present, in document order.
    public var unknownFields: [String]
    /// The record's id when it could be read (also for rejected records).
    public var recordId: String?

    /// Creates an outcome.
    public init(record: Record?, problems: [ValidationProblem], unknownFields: [String], recordId: String?) {
        self.record = record
        self.problems = problems
        self.unknownFields = unknownFields
        self.recordId = recordId
    }

    /// True when the record is valid.
    public var isValid: Bool { problems.isEmpty && record != nil }
}
