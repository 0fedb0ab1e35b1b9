/// One reason a record is rejected, naming the record and the field (INGEST.md "Validation").
public struct ValidationProblem: Hashable, Sendable, CustomStringConvertible {
    /// The kind of record, when known.
    public var kind: RecordKind?
    /// The record's id, when it could be read.
    public var recordId: String?
    /// The field at fault (`loan_amount`, `schedule[2].due_date`, `type`).
    public var field: String
    /// What is wrong, safe to show to the sender; it names the field.
    public var message: String

    /// Creates a problem.
    public init(kind: RecordKind?, recordId: String?, field: String, message: String) {
        self.kind = kind
        self.recordId = recordId
        self.field = field
        self.message = message
    }

    /// `loan LN1: loan_amount: must be >= 0` style text.
    public var description: String {
        let record = [kind?.rawValue, recordId].compactMap { $0 }.joined(separator: " ")
        return record.isEmpty ? message : "\(record): \(message)"
    }
}
