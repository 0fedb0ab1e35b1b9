/// The `transaction_type_enum` values of `LoanTransactionType.java` the mapping knows.
public enum FineractTransactionType {
    /// Payments: repayment, repayment at disbursement, recovery, charge payment, down payment.
    public static let payments: Set<Int> = [2, 5, 8, 17, 28]
    /// Credits Fineract allocates to instalments like a payment, by name (the `payment_method`).
    public static let credits: [Int: String] = [
        21: "Merchant Issued Refund", 22: "Payout Refund", 23: "Goodwill Credit", 24: "Charge Refund",
        26: "Charge Adjustment", 33: "Interest Refund",
    ]
    /// Waivers and their `waiver_type`: waive interest, interest payment waiver, waive charges.
    public static let waivers: [Int: String] = [4: "Interest", 31: "Interest", 9: "Fee"]
    /// Recovery repayment (a principal recovery when its portions are all zero or null).
    public static let recovery = 8
    /// Chargeback: raises what is owed; the loan is rejected whole.
    public static let chargeback = 25
    /// `LoanTransactionRelationTypeEnum.REPLAYED`.
    public static let replayedRelation = 3
}
