/// `m_loan.loan_status_id` values (`LoanStatus.java`).
public enum FineractLoanStatus {
    /// Disbursed at some point: the loans the sync carries.
    public static let disbursed: [Int] = [300, 303, 304, 600, 601, 602, 700]
    /// Not (or no longer) disbursed: submitted, approved, withdrawn, rejected. A loan we hold in one
    /// of these had its disbursal undone: Cancelled.
    public static let undone: [Int] = [100, 200, 400, 500]
}
