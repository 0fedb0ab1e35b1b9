/// One `m_loan_transaction` row with its payment type's `value` and its payment detail's
/// `receipt_number` (money as the database's text).
public struct FineractTransaction: Sendable, Equatable {
    public var id: Int64
    /// `transaction_type_enum` (`LoanTransactionType.java`).
    public var type: Int
    public var transactionDate: String
    public var amount: String
    public var principalPortion: String?
    public var interestPortion: String?
    public var feeChargesPortion: String?
    public var penaltyChargesPortion: String?
    public var submittedOnDate: String
    public var isReversed: Bool
    public var reversedOnDate: String?
    public var manuallyAdjustedOrReversed: Bool
    /// `m_payment_type.value` through `payment_detail_id`.
    public var paymentType: String?
    /// `m_payment_detail.receipt_number`.
    public var receiptNumber: String?

    /// Creates a transaction row; the optional columns default to null.
    public init(id: Int64, type: Int, transactionDate: String, amount: String, submittedOnDate: String,
                principalPortion: String? = nil, interestPortion: String? = nil, feeChargesPortion: String? = nil,
                penaltyChargesPortion: String? = nil, isReversed: Bool = false, reversedOnDate: String? = nil,
                manuallyAdjustedOrReversed: Bool = false, paymentType: String? = nil, receiptNumber: String? = nil) {
        self.id = id
        self.type = type
        self.transactionDate = transactionDate
        self.amount = amount
        self.submittedOnDate = submittedOnDate
        self.principalPortion = principalPortion
        self.interestPortion = interestPortion
        self.feeChargesPortion = feeChargesPortion
        self.penaltyChargesPortion = penaltyChargesPortion
        self.isReversed = isReversed
        self.reversedOnDate = reversedOnDate
        self.manuallyAdjustedOrReversed = manuallyAdjustedOrReversed
        self.paymentType = paymentType
        self.receiptNumber = receiptNumber
    }
}
