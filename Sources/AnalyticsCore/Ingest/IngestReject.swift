/// A record that failed validation, kept whole for `etl_rejects`.
public struct IngestReject: Sendable {
    /// Where it was in its input: `line 12`, `loans[3]`, `[5]`, `document`.
    public var location: String
    /// Its position among the input's records, from 0, in the order they were read (a batch
    /// object is read officers, customers, team members, loans, repayments).
    public var index: Int
    /// Its kind, when known.
    public var kind: RecordKind?
    /// Its id, when readable.
    public var recordId: String?
    /// Every reason, each naming its field.
    public var problems: [ValidationProblem]
    /// The record as received (its JSON text for a batch element).
    public var payload: String

    /// Creates a reject.
    public init(location: String, index: Int, kind: RecordKind?, recordId: String?, problems: [ValidationProblem], payload: String) {
        self.location = location
        self.index = index
        self.kind = kind
        self.recordId = recordId
        self.problems = problems
        self.payload = payload
    }

    /// The id as `etl_rejects.entity_id` holds it and the API shows it: at most 255 characters, a
    /// NUL character as U+FFFD (a rejected id may be anything; the payload keeps it whole).
    public var entityID: String? {
        recordId.map { id in
            let scalars = id.unicodeScalars.prefix(255).map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }
            return String(String.UnicodeScalarView(scalars))
        }
    }

    /// The reasons as a JSON array of `{"field": ..., "message": ...}`. A NUL character (a message
    /// may quote the value it refuses) becomes U+FFFD: PostgreSQL's `jsonb` cannot hold `\u0000`.
    public var reasonsJSON: String {
        func clean(_ text: String) -> String {
            guard text.utf8.contains(0) else { return text }
            return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
        }
        var out = "["
        for (i, problem) in problems.enumerated() {
            if i > 0 { out += "," }
            out += "{\"field\":"
            JSONValue.writeString(clean(problem.field), to: &out)
            out += ",\"message\":"
            JSONValue.writeString(clean(problem.message), to: &out)
            out += "}"
        }
        return out + "]"
    }
}
