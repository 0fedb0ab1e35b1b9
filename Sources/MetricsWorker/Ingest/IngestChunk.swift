import AnalyticsCore

/// The valid records of one chunk, deduplicated by id (the last one wins), and its rejects.
struct IngestChunk: Sendable {
    var officers: [Officer] = []
    var customers: [Customer] = []
    var loans: [Loan] = []
    var repayments: [Repayment] = []
    var teamMembers: [TeamMember] = []
    var rejects: [IngestReject] = []
    /// Records replaced by a later record with the same id in this chunk.
    var duplicates = 0
    /// Unknown field name -> how many records carried it.
    var unknownFieldCounts: [String: Int] = [:]

    /// The number of valid records.
    var acceptedCount: Int { officers.count + customers.count + loans.count + repayments.count + teamMembers.count }
}

/// A record that failed validation, kept whole for `etl_rejects`.
struct IngestReject: Sendable {
    var location: String
    var kind: RecordKind?
    var recordId: String?
    var problems: [ValidationProblem]
    var payload: String

    /// The reasons as a JSON array of `{"field": ..., "message": ...}`.
    var reasonsJSON: String {
        var out = "["
        for (i, problem) in problems.enumerated() {
            if i > 0 { out += "," }
            out += "{\"field\":"
            JSONValue.writeString(problem.field, to: &out)
            out += ",\"message\":"
            JSONValue.writeString(problem.message, to: &out)
            out += "}"
        }
        return out + "]"
    }
}
