/// A loan as the lending system sends it (the design's "Add New Loan" payload, `loans` source
/// columns), plus the optional `repayment_every_days` and `schedule`.
///
/// Computed columns (`current_dpd`, outstanding, ...) are not here: the engine derives them.
public struct Loan: Hashable, Sendable {
    /// `loan_id`, the primary key.
    public var loanId: String
    /// `customer_id`.
    public var customerId: String
    /// `customer_name`.
    public var customerName: String
    /// `customer_phone`, optional.
    public var customerPhone: String?
    /// `officer_id`: the officer whose metrics the loan counts in.
    public var officerId: String
    /// `officer_name`.
    public var officerName: String
    /// `officer_phone`, optional.
    public var officerPhone: String?
    /// `region` where the loan is booked.
    public var region: String
    /// `branch` where the loan is booked (branch metrics use the officer's branch instead).
    public var branch: String
    /// `state`, optional.
    public var state: String?
    /// `loan_amount`, the principal.
    public var loanAmount: Money
    /// `disbursement_date`: the loan exists from this date on (METRICS 1).
    public var disbursementDate: CalendarDate
    /// `maturity_date`.
    public var maturityDate: CalendarDate
    /// `loan_term_days`, > 0.
    public var loanTermDays: Int
    /// `interest_rate` (flat, for the term), 4 decimals; nil counts as 0.
    public var interestRate: Ratio4?
    /// `fee_amount`; nil counts as 0.
    public var feeAmount: Money?
    /// `channel` (`Direct`, `Partner`, ...).
    public var channel: String
    /// `channel_partner`, optional.
    public var channelPartner: String?
    /// `status` now.
    public var status: LoanStatus
    /// `closed_date`; a loan closed after D was still Active at D.
    public var closedDate: CalendarDate?
    /// `repayment_every_days` for a generated schedule; nil means 30.
    public var repaymentEveryDays: Int?
    /// A schedule given by the source; nil or empty means "generate one" (METRICS 2).
    public var schedule: [ScheduleEntry]?

    /// Creates a loan.
    public init(
        loanId: String, customerId: String, customerName: String, customerPhone: String? = nil,
        officerId: String, officerName: String, officerPhone: String? = nil,
        region: String, branch: String, state: String? = nil,
        loanAmount: Money, disbursementDate: CalendarDate, maturityDate: CalendarDate, loanTermDays: Int,
        interestRate: Ratio4? = nil, feeAmount: Money? = nil, channel: String, channelPartner: String? = nil,
        status: LoanStatus, closedDate: CalendarDate? = nil, repaymentEveryDays: Int? = nil,
        schedule: [ScheduleEntry]? = nil
    ) {
        self.loanId = loanId
        self.customerId = customerId
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.officerId = officerId
        self.officerName = officerName
        self.officerPhone = officerPhone
        self.region = region
        self.branch = branch
        self.state = state
        self.loanAmount = loanAmount
        self.disbursementDate = disbursementDate
        self.maturityDate = maturityDate
        self.loanTermDays = loanTermDays
        self.interestRate = interestRate
        self.feeAmount = feeAmount
        self.channel = channel
        self.channelPartner = channelPartner
        self.status = status
        self.closedDate = closedDate
        self.repaymentEveryDays = repaymentEveryDays
        self.schedule = schedule
    }
}
