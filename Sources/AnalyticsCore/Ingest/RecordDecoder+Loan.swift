extension RecordDecoder {
    /// Decodes a loan ("Add New Loan" payload plus `repayment_every_days` and `schedule`).
    ///
    /// Rules: required fields present and typed; money >= 0 with at most 2 decimals;
    /// `interest_rate` in [0, 10); `loan_term_days` > 0; `repayment_every_days` > 0;
    /// `maturity_date >= disbursement_date`; `status` in Active | Closed | Written Off | Cancelled;
    /// `channel` non-empty; the schedule rules of ``decodeSchedule(_:into:disbursement:loanAmount:)``.
    public static func decodeLoan(_ object: JSONObject) -> DecodedRecord<Loan> {
        var r = FieldReader(object, kind: .loan)
        let id = r.readId()
        let customerId = r.string("customer_id")
        let customerName = r.string("customer_name")
        let customerPhone = r.optionalString("customer_phone")
        let officerId = r.string("officer_id")
        let officerName = r.string("officer_name")
        let officerPhone = r.optionalString("officer_phone")
        let region = r.string("region")
        let branch = r.string("branch")
        let state = r.optionalString("state")
        let amount = r.money("loan_amount")
        let disbursement = r.date("disbursement_date")
        let maturity = r.date("maturity_date")
        let term = r.int("loan_term_days")
        let rate = r.optionalRate("interest_rate")
        let fee = r.optionalMoney("fee_amount")
        let channel = r.string("channel")
        let partner = r.optionalString("channel_partner")
        let statusText = r.string("status")
        let closed = r.optionalDate("closed_date")
        let every = r.optionalInt("repayment_every_days")

        if let term, term <= 0 { r.problem("loan_term_days", "must be > 0, got \(term)") }
        if let every, every <= 0 { r.problem("repayment_every_days", "must be > 0, got \(every)") }
        if let rate, rate.scaled >= 100_000 { r.problem("interest_rate", "must be in [0, 10), got \(rate)") }
        if let rate, rate.scaled < 0 { r.problem("interest_rate", "must be in [0, 10), got \(rate)") }
        if let disbursement, let maturity, maturity < disbursement {
            r.problem("maturity_date", "must be on or after disbursement_date \(disbursement), got \(maturity)")
        }
        var status: LoanStatus?
        if let statusText {
            status = LoanStatus(rawValue: statusText)
            if status == nil {
                r.problem("status", "must be one of Active, Closed, Written Off, Cancelled, got \"\(statusText)\"")
            }
        }
        let schedule = decodeSchedule(r.raw("schedule"), into: &r, disbursement: disbursement, loanAmount: amount)

        let unknown = r.finish()
        var loan: Loan?
        if r.problems.isEmpty, let id, let customerId, let customerName, let officerId, let officerName, let region,
           let branch, let amount, let disbursement, let maturity, let term, let channel, let status {
            loan = Loan(
                loanId: id, customerId: customerId, customerName: customerName, customerPhone: customerPhone,
                officerId: officerId, officerName: officerName, officerPhone: officerPhone, region: region,
                branch: branch, state: state, loanAmount: amount, disbursementDate: disbursement,
                maturityDate: maturity, loanTermDays: term, interestRate: rate, feeAmount: fee, channel: channel,
                channelPartner: partner, status: status, closedDate: closed, repaymentEveryDays: every,
                schedule: schedule
            )
        }
        return DecodedRecord(record: loan, problems: r.problems, unknownFields: unknown, recordId: id)
    }

    /// Decodes a loan's `schedule` (null or absent: none). Rules: installment numbers 1..n without
    /// gaps; due dates strictly increasing (in number order) and after `disbursement_date`;
    /// amounts >= 0; `principal_due` summing to `loan_amount` exactly.
    static func decodeSchedule(
        _ value: JSONValue?, into r: inout FieldReader, disbursement: CalendarDate?, loanAmount: Money?
    ) -> [ScheduleEntry]? {
        guard let value else { return nil }
        guard let elements = value.arrayValue else {
            r.problem("schedule", "must be an array, not \(value.kindDescription)")
            return nil
        }
        var entries: [(index: Int, entry: ScheduleEntry)] = []
        var complete = true
        for (index, element) in elements.enumerated() {
            let field = "schedule[\(index)]"
            guard let object = element.objectValue else {
                r.problem(field, "must be an object, not \(element.kindDescription)")
                complete = false
                continue
            }
            var e = FieldReader(object, kind: .loan, prefix: field + ".", recordId: r.recordId)
            let number = e.int("installment_number")
            let due = e.date("due_date")
            let principal = e.money("principal_due")
            let interest = e.money("interest_due")
            let fee = e.money("fee_due")
            _ = e.finish()
            r.absorb(e)
            if let number, let due, let principal, let interest, let fee {
                entries.append((index, ScheduleEntry(installmentNumber: number, dueDate: due, principalDue: principal,
                                                     interestDue: interest, feeDue: fee)))
            } else {
                complete = false
            }
        }
        guard complete else { return nil }
        entries.sort { $0.entry.installmentNumber < $1.entry.installmentNumber }
        let numbers = entries.map(\.entry.installmentNumber)
        if numbers != Array(1...max(1, entries.count)) && !entries.isEmpty {
            r.problem("schedule", "installment_number values must be 1..\(entries.count) without gaps or repeats, got \(numbers)")
        }
        var previous: CalendarDate?
        for (index, entry) in entries {
            if let disbursement, entry.dueDate <= disbursement {
                r.problem("schedule[\(index)].due_date", "must be after disbursement_date \(disbursement), got \(entry.dueDate)")
            }
            if let previous, entry.dueDate <= previous {
                r.problem("schedule[\(index)].due_date",
                          "must be after the due date of the previous installment (\(previous)), got \(entry.dueDate)")
            }
            previous = entry.dueDate
        }
        if let loanAmount, !entries.isEmpty {
            let principal = entries.reduce(Money.zero) { $0 + $1.entry.principalDue }
            if principal != loanAmount {
                r.problem("schedule", "principal_due must sum to loan_amount \(loanAmount), got \(principal)")
            }
        }
        return entries.map(\.entry)
    }
}
