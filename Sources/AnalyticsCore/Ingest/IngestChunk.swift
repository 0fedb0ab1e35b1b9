/// The valid records of one chunk, deduplicated by id (the last one wins), and its rejects.
public struct IngestChunk: Sendable {
    /// Valid officers.
    public var officers: [Officer] = []
    /// Valid customers.
    public var customers: [Customer] = []
    /// Valid loans.
    public var loans: [Loan] = []
    /// Valid repayments.
    public var repayments: [Repayment] = []
    /// Valid team members.
    public var teamMembers: [TeamMember] = []
    /// The records that failed validation, in input order.
    public var rejects: [IngestReject] = []
    /// Records replaced by a later record with the same id in this chunk.
    public var duplicates = 0
    /// Unknown field name -> how many records carried it.
    public var unknownFieldCounts: [String: Int] = [:]

    /// An empty chunk.
    public init() {}

    /// The number of valid records.
    public var acceptedCount: Int { officers.count + customers.count + loans.count + repayments.count + teamMembers.count }
}
