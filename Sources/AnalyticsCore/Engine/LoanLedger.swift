/// The engine's input for one loan: its terms, its schedule and its repayments sorted once by
/// `(payment_date, repayment_id)`.
///
/// Build it once per loan and evaluate it at as many dates as needed (D, D-7, the mid-month
/// anchor S) with ``LoanEngine``; each evaluation is one cheap walk over the sorted rows, without
/// sorting again. Value type, `Sendable`: ledgers can be split across threads freely.
public struct LoanLedger: Hashable, Sendable {
    /// `loan_id`.
    public var loanId: String
    /// `officer_id` (current: loans are not re-attributed historically).
    public var officerId: String
    /// The booking `branch` of the loan.
    public var branch: String
    /// `channel`, compared with the officer's primary channel for channel purity.
    public var channel: String
    /// `status` now.
    public var status: LoanStatus
    /// `closed_date`.
    public var closedDate: CalendarDate?
    /// `disbursement_date`.
    public var disbursementDate: CalendarDate
    /// `loan_amount`.
    public var loanAmount: Money
    /// The schedule (given or generated).
    public var schedule: LoanSchedule
    /// Repayment facts sorted by `payment_date` (then `repayment_id`, which does not change any
    /// figure but keeps the order deterministic).
    public var repayments: [RepaymentFacts]

    /// Creates a ledger from parts. `sortedRepayments` must be sorted by `paymentDate` (ascending);
    /// the engine relies on it (it stops at the first row after the as-of date).
    public init(
        loanId: String, officerId: String, branch: String, channel: String, status: LoanStatus,
        closedDate: CalendarDate?, disbursementDate: CalendarDate, loanAmount: Money,
        schedule: LoanSchedule, sortedRepayments: [RepaymentFacts]
    ) {
        self.loanId = loanId
        self.officerId = officerId
        self.branch = branch
        self.channel = channel
        self.status = status
        self.closedDate = closedDate
        self.disbursementDate = disbursementDate
        self.loanAmount = loanAmount
        self.schedule = schedule
        self.repayments = sortedRepayments
    }

    /// Creates a ledger from a loan record and its repayments (any order; rows of other loans are
    /// ignored), generating the schedule when the loan has none.
    public init(loan: Loan, repayments: some Sequence<Repayment>) {
        let own = repayments
            .filter { $0.loanId == loan.loanId }
            .sorted {
                $0.paymentDate != $1.paymentDate
                    ? $0.paymentDate < $1.paymentDate
                    : ByteOrder.precedes($0.repaymentId, $1.repaymentId)
            }
        self.init(
            loanId: loan.loanId, officerId: loan.officerId, branch: loan.branch, channel: loan.channel,
            status: loan.status, closedDate: loan.closedDate, disbursementDate: loan.disbursementDate,
            loanAmount: loan.loanAmount, schedule: ScheduleGenerator.schedule(for: loan),
            sortedRepayments: own.map(RepaymentFacts.init)
        )
    }

    /// True when the loan exists at `date`: disbursed on or before it and not Cancelled.
    @inlinable
    public func exists(at date: CalendarDate) -> Bool {
        disbursementDate <= date && status != .cancelled
    }

    /// The status at `date`: `Active` when the loan closed after `date`, else its status.
    @inlinable
    public func status(at date: CalendarDate) -> LoanStatus {
        if status != .cancelled, let closed = closedDate, closed > date { return .active }
        return status
    }
}
