/// One decoded record of any kind.
public enum IngestRecord: Hashable, Sendable {
    /// An officer.
    case officer(Officer)
    /// A customer.
    case customer(Customer)
    /// A loan.
    case loan(Loan)
    /// A repayment.
    case repayment(Repayment)
    /// A team member.
    case teamMember(TeamMember)

    /// The record's kind.
    public var kind: RecordKind {
        switch self {
        case .officer: return .officer
        case .customer: return .customer
        case .loan: return .loan
        case .repayment: return .repayment
        case .teamMember: return .teamMember
        }
    }
}
