/// What one Fineract loan becomes: the loan record and its repayments, sent whole, or one rejected
/// entry naming the table, row and column at fault.
public struct FineractMappedLoan: Sendable {
    /// Records the loan needs that may repeat across loans (an unassigned officer, a group's
    /// customer), keyed by `kind:id` so a chunk sends each once.
    public var supporting: [(key: String, entry: IngestEntry)] = []
    /// The loan then its repayments; or the single rejected entry.
    public var entries: [IngestEntry] = []
    /// Why the loan is rejected (empty when it loads).
    public var rejections: [FineractRejection] = []

    /// True when the loan is rejected whole.
    public var isRejected: Bool { !rejections.isEmpty }
}
