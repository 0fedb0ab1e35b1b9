/// What the database already holds, as far as one chunk's validation needs it. The store looks it
/// up (`IngestLookup`) for the ids a chunk names (`IngestReferences`).
public struct IngestKnownRows: Sendable {
    /// The loans that exist (a repayment's `loan_id` must be one of them or a loan of its chunk).
    public var loanIDs: Set<String> = []
    /// With a scope only: where each existing loan named by the chunk is (a loan record, or a
    /// repayment's loan).
    public var loanPlacements: [String: IngestPlacement] = [:]
    /// With a scope only: where each existing officer named by the chunk is (an officer record,
    /// or a loan's officer).
    public var officerPlacements: [String: IngestPlacement] = [:]
    /// With a scope only: for each existing repayment the chunk sends again, where the loan it
    /// belongs to now is (sending it with another `loan_id` would move it off that loan).
    public var repaymentPlacements: [String: IngestPlacement] = [:]
    /// With a scope only: for each existing customer the chunk sends, where their loans are.
    public var customerPlacements: [String: Set<IngestPlacement>] = [:]

    /// Nothing known.
    public init() {}

    /// Adds a chunk that is being written (it commits before the next chunk is written): its
    /// loans exist, and its rows are where it puts them.
    public mutating func overlay(_ chunk: IngestChunk) {
        for loan in chunk.loans {
            let placement = IngestPlacement(region: loan.region, branch: loan.branch)
            loanIDs.insert(loan.loanId)
            loanPlacements[loan.loanId] = placement
            customerPlacements[loan.customerId, default: []].insert(placement)
        }
        for officer in chunk.officers {
            officerPlacements[officer.officerId] = IngestPlacement(region: officer.region, branch: officer.branch)
        }
        for repayment in chunk.repayments {
            if let placement = loanPlacements[repayment.loanId] { repaymentPlacements[repayment.repaymentId] = placement }
        }
    }
}

/// The ids a chunk names, to look up before it is validated.
public struct IngestReferences: Sendable, Equatable {
    /// The `loan_id`s of the chunk's repayments.
    public var repaymentLoanIDs: Set<String> = []
    /// With a scope only: the ids of its loan records.
    public var loanIDs: Set<String> = []
    /// With a scope only: the ids of its officer records and of its loans' officers.
    public var officerIDs: Set<String> = []
    /// With a scope only: the ids of its customer records.
    public var customerIDs: Set<String> = []
    /// With a scope only: the ids of its repayment records.
    public var repaymentIDs: Set<String> = []

    /// Nothing named.
    public init() {}
}
