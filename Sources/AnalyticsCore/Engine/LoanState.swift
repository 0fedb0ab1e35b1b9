/// The full state of one loan as of a date: ``LoanSnapshot`` plus every installment's state, as
/// `loans.json` and the loan drilldowns show it.
public struct LoanState: Hashable, Sendable {
    /// The loan-level figures.
    public var snapshot: LoanSnapshot
    /// The installments in order, with status, amount paid and covered date at the as-of date.
    public var installments: [InstallmentState]

    /// Creates a loan state.
    public init(snapshot: LoanSnapshot, installments: [InstallmentState]) {
        self.snapshot = snapshot
        self.installments = installments
    }
}
