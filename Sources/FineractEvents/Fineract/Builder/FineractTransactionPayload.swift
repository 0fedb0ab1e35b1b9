import AnalyticsCore

/// A loan transaction as Fineract's transaction events carry it (`LoanTransactionDataV1`): the
/// fields the metrics read; ``FineractMessageBuilder`` fills the type's flags, currency and office
/// and writes null where Fineract's schema allows it.
///
/// What Fineract's producer writes; used by tests and the benchmark.
public struct FineractTransactionPayload: Sendable, Hashable {
    /// One `transactionRelations` entry (`LoanTransactionRelationDataV1`).
    public struct Relation: Sendable, Hashable {
        /// The transaction that has the relation (this one).
        public var fromTransaction: Int64
        /// The related transaction (for `REPLAYED`: the one this replaces).
        public var toTransaction: Int64?
        /// `REPLAYED` (a system replay), `CHARGEBACK`, `CHARGE_ADJUSTMENT`, ...
        public var relationType: String
        /// The related amount.
        public var amount: Money?

        /// A relation.
        public init(from: Int64, to: Int64?, type: String, amount: Money?) {
            self.fromTransaction = from
            self.toTransaction = to
            self.relationType = type
            self.amount = amount
        }
    }

    /// `m_loan_transaction.id`.
    public var id: Int64
    /// The loan (`m_loan.id`).
    public var loanID: Int64
    /// The loan's external id.
    public var externalLoanID: String?
    /// The loan's office.
    public var officeID: Int64
    /// The office's name.
    public var officeName: String
    /// `transaction_type_enum`: 1 disbursement, 2 repayment, 4 waive interest, 6 write-off, 8 recovery, ...
    public var typeID: Int32
    /// The transaction date.
    public var date: CalendarDate
    /// The amount.
    public var amount: Money
    /// The portions of the amount (null when Fineract has none).
    public var principalPortion: Money?
    /// The interest portion.
    public var interestPortion: Money?
    /// The fee portion.
    public var feeChargesPortion: Money?
    /// The penalty portion.
    public var penaltyChargesPortion: Money?
    /// What was paid beyond what was owed.
    public var overpaymentPortion: Money?
    /// The loan's outstanding balance after this transaction.
    public var outstandingLoanBalance: Money?
    /// The day it was entered.
    public var submittedOnDate: CalendarDate
    /// True when a person reversed or adjusted it (`manually_adjusted_or_reversed`).
    public var manuallyReversed: Bool
    /// Set when it is reversed (by a person or by a replay).
    public var reversedOnDate: CalendarDate?
    /// The transaction's external id.
    public var externalID: String?
    /// `m_payment_type.value` and `m_payment_detail.receipt_number`, when the payment has details.
    public var paymentTypeName: String?
    /// The payment detail's receipt number.
    public var receiptNumber: String?
    /// `transactionRelations` (empty when none).
    public var relations: [Relation]
    /// The ISO currency code.
    public var currencyCode: String

    /// A transaction; portions and optional parts default to null, `submittedOnDate` to `date`.
    public init(id: Int64, loanID: Int64, officeID: Int64, officeName: String, typeID: Int32 = 2, date: CalendarDate,
                amount: Money, principalPortion: Money? = nil, interestPortion: Money? = nil, feeChargesPortion: Money? = nil,
                penaltyChargesPortion: Money? = nil, submittedOnDate: CalendarDate? = nil, manuallyReversed: Bool = false,
                reversedOnDate: CalendarDate? = nil, relations: [Relation] = [], currencyCode: String = "NGN") {
        self.id = id
        self.loanID = loanID
        self.externalLoanID = nil
        self.officeID = officeID
        self.officeName = officeName
        self.typeID = typeID
        self.date = date
        self.amount = amount
        self.principalPortion = principalPortion
        self.interestPortion = interestPortion
        self.feeChargesPortion = feeChargesPortion
        self.penaltyChargesPortion = penaltyChargesPortion
        self.overpaymentPortion = nil
        self.outstandingLoanBalance = nil
        self.submittedOnDate = submittedOnDate ?? date
        self.manuallyReversed = manuallyReversed
        self.reversedOnDate = reversedOnDate
        self.externalID = nil
        self.paymentTypeName = nil
        self.receiptNumber = nil
        self.relations = relations
        self.currencyCode = currencyCode
    }
}
