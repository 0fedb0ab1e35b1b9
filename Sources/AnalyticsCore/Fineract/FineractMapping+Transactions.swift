extension FineractMapping {
    /// Where a replay chain starts: the transaction that replaces nothing (its id becomes the
    /// repayment id, its `submitted_on_date` decides `is_backdated`).
    public struct ChainRoot: Sendable, Equatable {
        /// The chain's first Fineract transaction id.
        public var id: Int64
        /// Its `submitted_on_date` (`YYYY-MM-DD`).
        public var submittedOnDate: String

        /// Creates a chain root.
        public init(id: Int64, submittedOnDate: String) {
            self.id = id
            self.submittedOnDate = submittedOnDate
        }
    }

    /// Some of a loan's transactions without the loan (the consumer of Fineract's events: one
    /// transaction event carries one transaction), by the rules of ``loan(_:held:)`` and through the
    /// same code: each transaction whose chain started at another transaction (`roots`, keyed by
    /// the transaction's id; a system replay) takes that transaction's id and `is_backdated`.
    ///
    /// Returns the repayment entries (validated as the ingest validates them), nothing for a
    /// transaction that is not a repayment (a disbursement, an accrual), or one rejected entry naming
    /// the loan (a live chargeback, a money value with a non-zero third decimal): the loan keeps its
    /// records.
    public func transactions(loanID: Int64, _ transactions: [FineractTransaction], roots: [Int64: ChainRoot] = [:]) -> FineractMappedLoan {
        var all = transactions
        var replayed: [(from: Int64, to: Int64)] = []
        let ids = Set(transactions.map(\.id))
        for transaction in transactions {
            guard let root = roots[transaction.id], root.id != transaction.id else { continue }
            if !ids.contains(root.id) && !all.contains(where: { $0.id == root.id }) {
                // The chain's first row, as far as the mapping looks at it: replaced, so never sent itself.
                all.append(FineractTransaction(id: root.id, type: 0, transactionDate: root.submittedOnDate, amount: "0",
                                               submittedOnDate: root.submittedOnDate))
            }
            replayed.append((from: transaction.id, to: root.id))
        }
        let bundle = FineractLoanBundle(loan: FineractLoanRow(id: loanID, loanStatusID: 300, principalAmount: "0"),
                                        transactions: all, replayed: replayed)
        var problems: [FineractRejection] = []
        let repayments = self.repayments(bundle, problems: &problems)
        var mapped = FineractMappedLoan()
        if problems.isEmpty { mapped.entries = Self.validatedEntries(repayments, problems: &problems) }
        if !problems.isEmpty {
            mapped.entries = [Self.rejectedEntry(loanID: loanID, problems: problems)]
            mapped.rejections = problems
        }
        return mapped
    }
}
