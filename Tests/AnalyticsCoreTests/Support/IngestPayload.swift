import AnalyticsCore

/// Generated records rendered as the ingest payloads a source system sends (INGEST.md field
/// names; money and rates as JSON numbers, dates as `YYYY-MM-DD`), so tests can run them through
/// the ingest validation.
enum IngestPayload {
    /// The batch object `{"officers": [...], "loans": [...], "repayments": [...]}` of `portfolio`.
    static func batch(_ portfolio: RandomPortfolio) -> JSONValue {
        object([
            ("officers", .array(portfolio.officers.map(officer))),
            ("loans", .array(portfolio.loans.map(loan))),
            ("repayments", .array(portfolio.repayments.map(repayment))),
        ])
    }

    static func officer(_ o: Officer) -> JSONValue {
        object([
            ("officer_id", .string(o.officerId)), ("officer_name", .string(o.officerName)),
            ("officer_phone", string(o.officerPhone)), ("officer_email", string(o.officerEmail)),
            ("region", .string(o.region)), ("branch", .string(o.branch)),
            ("employment_status", .string(o.employmentStatus)), ("hire_date", date(o.hireDate)),
            ("termination_date", date(o.terminationDate)), ("primary_channel", string(o.primaryChannel)),
            ("has_float_gap", .bool(o.hasFloatGap)),
        ])
    }

    static func loan(_ l: Loan) -> JSONValue {
        object([
            ("loan_id", .string(l.loanId)), ("customer_id", .string(l.customerId)),
            ("customer_name", .string(l.customerName)), ("customer_phone", string(l.customerPhone)),
            ("officer_id", .string(l.officerId)), ("officer_name", .string(l.officerName)),
            ("officer_phone", string(l.officerPhone)), ("region", .string(l.region)), ("branch", .string(l.branch)),
            ("state", string(l.state)), ("loan_amount", money(l.loanAmount)),
            ("disbursement_date", date(l.disbursementDate)), ("maturity_date", date(l.maturityDate)),
            ("loan_term_days", .number(String(l.loanTermDays))),
            ("interest_rate", l.interestRate.map { .number($0.description) } ?? .null),
            ("fee_amount", l.feeAmount.map(money) ?? .null), ("channel", .string(l.channel)),
            ("channel_partner", string(l.channelPartner)), ("status", .string(l.status.rawValue)),
            ("closed_date", date(l.closedDate)),
            ("repayment_every_days", l.repaymentEveryDays.map { .number(String($0)) } ?? .null),
            ("schedule", l.schedule.map { .array($0.map(scheduleEntry)) } ?? .null),
        ])
    }

    static func scheduleEntry(_ e: ScheduleEntry) -> JSONValue {
        object([
            ("installment_number", .number(String(e.installmentNumber))), ("due_date", date(e.dueDate)),
            ("principal_due", money(e.principalDue)), ("interest_due", money(e.interestDue)),
            ("fee_due", money(e.feeDue)),
        ])
    }

    static func repayment(_ r: Repayment) -> JSONValue {
        object([
            ("repayment_id", .string(r.repaymentId)), ("loan_id", .string(r.loanId)),
            ("payment_date", date(r.paymentDate)), ("payment_amount", money(r.paymentAmount)),
            ("principal_paid", money(r.principalPaid)), ("interest_paid", money(r.interestPaid)),
            ("fees_paid", money(r.feesPaid)), ("penalty_paid", money(r.penaltyPaid)),
            ("payment_method", string(r.paymentMethod)), ("payment_reference", string(r.paymentReference)),
            ("payment_channel", string(r.paymentChannel)), ("is_backdated", .bool(r.isBackdated)),
            ("is_reversed", .bool(r.isReversed)), ("reversal_date", date(r.reversalDate)),
            ("reversal_reason", string(r.reversalReason)), ("waiver_amount", money(r.waiverAmount)),
            ("waiver_type", string(r.waiverType)), ("waiver_approved_by", string(r.waiverApprovedBy)),
        ])
    }

    private static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members: members.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }

    private static func money(_ m: Money) -> JSONValue { .number(m.description) }
    private static func string(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
    private static func date(_ d: CalendarDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }
}
