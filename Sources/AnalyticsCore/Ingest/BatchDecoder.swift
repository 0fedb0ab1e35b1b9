/// Decodes a batch object `{"officers": [...], "customers": [...], "loans": [...],
/// "repayments": [...], "team_members": [...]}` (any subset), validating every record.
public enum BatchDecoder {
    /// A record that failed validation, with where it was and why.
    public struct Rejected: Hashable, Sendable {
        /// The record's kind.
        public var kind: RecordKind
        /// Its index in the kind's list.
        public var index: Int
        /// Its id when readable.
        public var recordId: String?
        /// Every problem.
        public var problems: [ValidationProblem]
        /// The record as sent.
        public var payload: JSONValue
    }

    /// The valid records by kind, the rejected ones, and the unknown-field counts.
    public struct Result: Hashable, Sendable {
        /// Valid officers, in input order.
        public var officers: [Officer] = []
        /// Valid customers.
        public var customers: [Customer] = []
        /// Valid loans.
        public var loans: [Loan] = []
        /// Valid repayments.
        public var repayments: [Repayment] = []
        /// Valid team members.
        public var teamMembers: [TeamMember] = []
        /// Rejected records.
        public var rejected: [Rejected] = []
        /// Problems that concern the batch itself (not an object, a list that is not an array).
        public var batchProblems: [ValidationProblem] = []
        /// Unknown field name -> number of records carrying it (unknown top-level keys included).
        public var unknownFieldCounts: [String: Int] = [:]

        /// Every problem, batch-level first.
        public var problems: [ValidationProblem] { batchProblems + rejected.flatMap(\.problems) }
    }

    /// True when `object` looks like a batch (has one of the list keys with an array value).
    public static func isBatch(_ object: JSONObject) -> Bool {
        RecordKind.allCases.contains { object[$0.batchKey]?.arrayValue != nil }
    }

    /// Decodes a batch. A repayment's loan must satisfy `loanExists` or be a valid loan of the
    /// same batch.
    public static func decode(_ value: JSONValue, loanExists: (String) -> Bool = { _ in false }) -> Result {
        var result = Result()
        guard let object = value.objectValue else {
            result.batchProblems.append(ValidationProblem(
                kind: nil, recordId: nil, field: "", message: "batch must be a JSON object, not \(value.kindDescription)"))
            return result
        }
        let listKeys = Set(RecordKind.allCases.map(\.batchKey))
        for key in object.keys where !listKeys.contains(key) {
            result.unknownFieldCounts[key, default: 0] += 1
        }
        func elements(_ kind: RecordKind) -> [JSONValue] {
            guard let list = object[kind.batchKey], !list.isNull else { return [] }
            guard let array = list.arrayValue else {
                result.batchProblems.append(ValidationProblem(
                    kind: kind, recordId: nil, field: kind.batchKey,
                    message: "\(kind.batchKey): must be an array, not \(list.kindDescription)"))
                return []
            }
            return array
        }
        func handle<R>(_ kind: RecordKind, _ decode: (JSONObject) -> DecodedRecord<R>, _ keep: (R) -> Void) {
            for (index, element) in elements(kind).enumerated() {
                guard let record = element.objectValue else {
                    let problem = ValidationProblem(kind: kind, recordId: nil, field: "\(kind.batchKey)[\(index)]",
                                                    message: "\(kind.batchKey)[\(index)]: must be an object, not \(element.kindDescription)")
                    result.rejected.append(Rejected(kind: kind, index: index, recordId: nil, problems: [problem], payload: element))
                    continue
                }
                let decoded = decode(record)
                for field in decoded.unknownFields { result.unknownFieldCounts[field, default: 0] += 1 }
                if let valid = decoded.record, decoded.problems.isEmpty {
                    keep(valid)
                } else {
                    result.rejected.append(Rejected(kind: kind, index: index, recordId: decoded.recordId,
                                                    problems: decoded.problems, payload: element))
                }
            }
        }
        handle(.officer, RecordDecoder.decodeOfficer) { result.officers.append($0) }
        handle(.customer, RecordDecoder.decodeCustomer) { result.customers.append($0) }
        handle(.loan, RecordDecoder.decodeLoan) { result.loans.append($0) }
        let batchLoans = Set(result.loans.map(\.loanId))
        handle(.repayment, { RecordDecoder.decodeRepayment($0) { batchLoans.contains($0) || loanExists($0) } }) {
            result.repayments.append($0)
        }
        handle(.teamMember, RecordDecoder.decodeTeamMember) { result.teamMembers.append($0) }
        return result
    }
}
