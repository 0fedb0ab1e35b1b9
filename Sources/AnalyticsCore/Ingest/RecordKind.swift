/// The kinds of record the ingestion accepts (INGEST.md).
public enum RecordKind: String, CaseIterable, Hashable, Sendable {
    /// An officer.
    case officer
    /// A customer.
    case customer
    /// A loan.
    case loan
    /// A repayment.
    case repayment
    /// An auditor.
    case teamMember = "team_member"

    /// The id field of the kind (`loan_id`, ...).
    public var idField: String {
        switch self {
        case .officer: return "officer_id"
        case .customer: return "customer_id"
        case .loan: return "loan_id"
        case .repayment: return "repayment_id"
        case .teamMember: return "member_id"
        }
    }

    /// The key of the kind's list in a batch object (`loans`, `team_members`, ...).
    public var batchKey: String {
        switch self {
        case .officer: return "officers"
        case .customer: return "customers"
        case .loan: return "loans"
        case .repayment: return "repayments"
        case .teamMember: return "team_members"
        }
    }

    /// The kind of a single entity object: its `"type"` field when present (nil when that is not
    /// a known kind), else the first id field present in the order repayment, loan, team member,
    /// officer, customer (a repayment carries `loan_id`, a loan carries `officer_id` and
    /// `customer_id`).
    public static func infer(from object: JSONObject) -> RecordKind? {
        if let type = object["type"] {
            return type.stringValue.flatMap(RecordKind.init(rawValue:))
        }
        let order: [RecordKind] = [.repayment, .loan, .teamMember, .officer, .customer]
        return order.first { object[$0.idField] != nil }
    }
}
