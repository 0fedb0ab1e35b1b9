/// A repayment transaction (the design's "Add New Repayment" payload, `repayments` table).
public struct Repayment: Hashable, Sendable {
    /// `repayment_id`, the primary key (second sort key after `payment_date`).
    public var repaymentId: String
    /// `loan_id`.
    public var loanId: String
    /// `payment_date`.
    public var paymentDate: CalendarDate
    /// `payment_amount` = principal + interest + fees + penalty, exactly.
    public var paymentAmount: Money
    /// `principal_paid`; default 0.
    public var principalPaid: Money
    /// `interest_paid`; default 0.
    public var interestPaid: Money
    /// `fees_paid`; default 0.
    public var feesPaid: Money
    /// `penalty_paid`; default 0. Penalties do not cover installments.
    public var penaltyPaid: Money
    /// `payment_method`, optional.
    public var paymentMethod: String?
    /// `payment_reference`, optional.
    public var paymentReference: String?
    /// `payment_channel`, optional.
    public var paymentChannel: String?
    /// `is_backdated`; default false.
    public var isBackdated: Bool
    /// `is_reversed`; default false.
    public var isReversed: Bool
    /// `reversal_date`: only with `is_reversed`; nil with `is_reversed` means reversed at every date.
    public var reversalDate: CalendarDate?
    /// `reversal_reason`, optional.
    public var reversalReason: String?
    /// `waiver_amount`; default 0. Waivers do not cover installments.
    public var waiverAmount: Money
    /// `waiver_type`, optional.
    public var waiverType: String?
    /// `waiver_approved_by`, optional.
    public var waiverApprovedBy: String?

    /// Creates a repayment.
    public init(
        repaymentId: String, loanId: String, paymentDate: CalendarDate, paymentAmount: Money,
        principalPaid: Money = .zero, interestPaid: Money = .zero, feesPaid: Money = .zero, penaltyPaid: Money = .zero,
        paymentMethod: String? = nil, paymentReference: String? = nil, paymentChannel: String? = nil,
        isBackdated: Bool = false, isReversed: Bool = false, reversalDate: CalendarDate? = nil,
        reversalReason: String? = nil, waiverAmount: Money = .zero, waiverType: String? = nil,
        waiverApprovedBy: String? = nil
    ) {
        self.repaymentId = repaymentId
        self.loanId = loanId
        self.paymentDate = paymentDate
        self.paymentAmount = paymentAmount
        self.principalPaid = principalPaid
        self.interestPaid = interestPaid
        self.feesPaid = feesPaid
        self.penaltyPaid = penaltyPaid
        self.paymentMethod = paymentMethod
        self.paymentReference = paymentReference
        self.paymentChannel = paymentChannel
        self.isBackdated = isBackdated
        self.isReversed = isReversed
        self.reversalDate = reversalDate
        self.reversalReason = reversalReason
        self.waiverAmount = waiverAmount
        self.waiverType = waiverType
        self.waiverApprovedBy = waiverApprovedBy
    }
}
