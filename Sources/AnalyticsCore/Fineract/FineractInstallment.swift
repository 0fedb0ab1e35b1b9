/// One `m_loan_repayment_schedule` row (money as the database's text, null allowed).
public struct FineractInstallment: Sendable, Equatable {
    /// `id`.
    public var id: Int64
    /// `installment` (Fineract's own number; ours is the position in due-date order).
    public var installment: Int
    /// `duedate`.
    public var dueDate: String
    /// `principal_amount`.
    public var principalAmount: String?
    /// `interest_amount`.
    public var interestAmount: String?
    /// `fee_charges_amount`.
    public var feeChargesAmount: String?

    /// Creates a schedule row.
    public init(id: Int64, installment: Int, dueDate: String, principalAmount: String?, interestAmount: String?,
                feeChargesAmount: String?) {
        self.id = id
        self.installment = installment
        self.dueDate = dueDate
        self.principalAmount = principalAmount
        self.interestAmount = interestAmount
        self.feeChargesAmount = feeChargesAmount
    }
}
