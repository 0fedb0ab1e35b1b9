import AnalyticsCore

/// A loan as Fineract's loan events carry it (`LoanAccountDataV1`): the fields the metrics read,
/// the rest left to ``FineractMessageBuilder``, which fills what Fineract would (status flags,
/// currency, summary, schedule totals) and writes null where Fineract's schema allows it.
///
/// What Fineract's producer writes; used by tests and the benchmark.
public struct FineractLoanPayload: Sendable, Hashable {
    /// One row of `repaymentSchedule.periods`.
    public struct Period: Sendable, Hashable {
        /// The installment number; nil for the disbursement period (not an installment).
        public var number: Int32?
        /// The period's start (nil for the disbursement period).
        public var fromDate: CalendarDate?
        /// The due date (the disbursement date for the disbursement period).
        public var dueDate: CalendarDate
        /// The disbursed principal (disbursement period only).
        public var principalDisbursed: Money?
        /// Principal due.
        public var principalDue: Money
        /// Interest due.
        public var interestDue: Money
        /// Fees due.
        public var feeChargesDue: Money
        /// Penalties due.
        public var penaltyChargesDue: Money
        /// Principal paid.
        public var principalPaid: Money
        /// Interest paid.
        public var interestPaid: Money
        /// Fees paid.
        public var feeChargesPaid: Money
        /// Penalties paid.
        public var penaltyChargesPaid: Money
        /// The day the installment was fully paid, when it was.
        public var obligationsMetOnDate: CalendarDate?

        /// An installment.
        public init(number: Int32, fromDate: CalendarDate, dueDate: CalendarDate, principalDue: Money, interestDue: Money,
                    feeChargesDue: Money = .zero, penaltyChargesDue: Money = .zero, principalPaid: Money = .zero,
                    interestPaid: Money = .zero, feeChargesPaid: Money = .zero, penaltyChargesPaid: Money = .zero,
                    obligationsMetOnDate: CalendarDate? = nil) {
            self.number = number
            self.fromDate = fromDate
            self.dueDate = dueDate
            self.principalDisbursed = nil
            self.principalDue = principalDue
            self.interestDue = interestDue
            self.feeChargesDue = feeChargesDue
            self.penaltyChargesDue = penaltyChargesDue
            self.principalPaid = principalPaid
            self.interestPaid = interestPaid
            self.feeChargesPaid = feeChargesPaid
            self.penaltyChargesPaid = penaltyChargesPaid
            self.obligationsMetOnDate = obligationsMetOnDate
        }

        /// The disbursement period Fineract puts first: no number, the disbursed principal.
        public static func disbursement(on date: CalendarDate, principal: Money, fees: Money = .zero) -> Period {
            var period = Period(number: 0, fromDate: date, dueDate: date, principalDue: .zero, interestDue: .zero,
                                feeChargesDue: fees, feeChargesPaid: .zero)
            period.number = nil
            period.fromDate = nil
            period.principalDisbursed = principal
            return period
        }

        /// True for the disbursement period.
        public var isDisbursement: Bool { number == nil }
    }

    /// `m_loan.id`.
    public var id: Int64
    /// The loan's account number (Fineract: 9 digits, zero-padded id).
    public var accountNo: String
    /// The loan's external id.
    public var externalId: String?
    /// `loan_status_id`: 300 active, 600 closed, 601 written off, 602 rescheduled, 700 overpaid, ...
    public var statusID: Int32
    /// The client; nil for a group loan.
    public var clientID: Int64?
    /// The client's display name.
    public var clientName: String?
    /// The client's office (branch).
    public var clientOfficeID: Int64?
    /// The loan officer (`m_staff.id`); nil when unassigned.
    public var loanOfficerID: Int64?
    /// The loan officer's display name ("Last, First").
    public var loanOfficerName: String?
    /// The loan product.
    public var productID: Int64
    /// The loan product's name.
    public var productName: String
    /// The fund (`FINERACT_CHANNEL=fund`).
    public var fundID: Int64?
    /// The fund's name.
    public var fundName: String?
    /// The approved principal.
    public var principal: Money
    /// The disbursed principal (nil before disbursal).
    public var principalDisbursed: Money?
    /// Annual nominal interest rate in percent, e.g. `24` or `18.5`.
    public var annualInterestRate: String
    /// The number of installments.
    public var numberOfRepayments: Int32
    /// Repayment every `repaymentEvery` units of `repaymentFrequency` (0 days, 1 weeks, 2 months).
    public var repaymentEvery: Int32
    /// The unit of `repaymentEvery`: 0 days, 1 weeks, 2 months, 3 years.
    public var repaymentFrequency: Int32
    /// The submission date.
    public var submittedOn: CalendarDate
    /// The approval date.
    public var approvedOn: CalendarDate?
    /// The expected disbursement date.
    public var expectedDisbursementDate: CalendarDate?
    /// The actual disbursement date (nil before disbursal).
    public var disbursedOn: CalendarDate?
    /// The expected maturity date (the last installment's due date).
    public var expectedMaturityDate: CalendarDate?
    /// Set for closed (600, 602) loans.
    public var closedOn: CalendarDate?
    /// Set for written-off (601) loans.
    public var writtenOffOn: CalendarDate?
    /// Set for overpaid (700) loans.
    public var overpaidOn: CalendarDate?
    /// Charged off (the loan stays active).
    public var chargedOff: Bool
    /// The schedule, disbursement period first (nil: Fineract sends no schedule).
    public var periods: [Period]?
    /// The ISO currency code.
    public var currencyCode: String

    /// A loan with the given essentials; the optional parts default to null.
    public init(id: Int64, statusID: Int32 = 300, clientID: Int64?, clientName: String? = nil, clientOfficeID: Int64?,
                loanOfficerID: Int64?, loanOfficerName: String? = nil, productID: Int64 = 1, productName: String = "Group Loan",
                principal: Money, annualInterestRate: String, numberOfRepayments: Int32, repaymentEvery: Int32 = 1,
                repaymentFrequency: Int32 = 2, submittedOn: CalendarDate, disbursedOn: CalendarDate?,
                expectedMaturityDate: CalendarDate?, periods: [Period]? = nil, currencyCode: String = "NGN") {
        self.id = id
        self.accountNo = String(repeating: "0", count: max(0, 9 - String(id).count)) + String(id)
        self.externalId = nil
        self.statusID = statusID
        self.clientID = clientID
        self.clientName = clientName
        self.clientOfficeID = clientOfficeID
        self.loanOfficerID = loanOfficerID
        self.loanOfficerName = loanOfficerName
        self.productID = productID
        self.productName = productName
        self.fundID = nil
        self.fundName = nil
        self.principal = principal
        self.principalDisbursed = disbursedOn == nil ? nil : principal
        self.annualInterestRate = annualInterestRate
        self.numberOfRepayments = numberOfRepayments
        self.repaymentEvery = repaymentEvery
        self.repaymentFrequency = repaymentFrequency
        self.submittedOn = submittedOn
        self.approvedOn = disbursedOn ?? submittedOn
        self.expectedDisbursementDate = disbursedOn
        self.disbursedOn = disbursedOn
        self.expectedMaturityDate = expectedMaturityDate
        self.closedOn = nil
        self.writtenOffOn = nil
        self.overpaidOn = nil
        self.chargedOff = false
        self.periods = periods
        self.currencyCode = currencyCode
    }
}
