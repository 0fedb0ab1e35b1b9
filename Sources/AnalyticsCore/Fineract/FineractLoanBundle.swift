/// A loan as the sync reads it: its `m_loan` row, every schedule row, every transaction, and the
/// REPLAYED relations between its transactions (`m_loan_transaction_relation` type 3, from the
/// replacement to the replaced row).
public struct FineractLoanBundle: Sendable, Equatable {
    public var loan: FineractLoanRow
    public var schedule: [FineractInstallment]
    public var transactions: [FineractTransaction]
    /// (from, to) pairs of REPLAYED relations.
    public var replayed: [(from: Int64, to: Int64)]

    /// Creates a bundle.
    public init(loan: FineractLoanRow, schedule: [FineractInstallment] = [], transactions: [FineractTransaction] = [],
                replayed: [(from: Int64, to: Int64)] = []) {
        self.loan = loan
        self.schedule = schedule
        self.transactions = transactions
        self.replayed = replayed
    }

    public static func == (lhs: FineractLoanBundle, rhs: FineractLoanBundle) -> Bool {
        lhs.loan == rhs.loan && lhs.schedule == rhs.schedule && lhs.transactions == rhs.transactions
            && lhs.replayed.map { [$0.from, $0.to] } == rhs.replayed.map { [$0.from, $0.to] }
    }
}
