extension FineractMapping {
    /// Maps one loan whole (FINERACT.md "The mapping"). Returns nil for a loan the sync does not
    /// carry: never disbursed, or disbursal undone on a loan we do not hold (`held` false).
    ///
    /// A money value with a non-zero third decimal, an interest rate with more than 4 decimals once
    /// divided by 100, a live chargeback, or a record the ingest validation refuses (checked here
    /// with the same decoders, so a loan is never half loaded) rejects the loan whole: one entry
    /// whose reasons name the Fineract table, row and column.
    public func loan(_ bundle: FineractLoanBundle, held: Bool) -> FineractMappedLoan? {
        let row = bundle.loan
        let loanID = String(row.id)
        var problems: [FineractRejection] = []
        func money(_ table: String, _ id: Int64, _ column: String, _ text: String?) -> Int64? {
            guard let text else { return nil }
            if let cents = FineractMoney.cents(text) { return cents }
            problems.append(FineractRejection(table: table, row: String(id), column: column,
                                              message: "\(text) has a non-zero digit after the second decimal (money is never rounded)"))
            return nil
        }

        let status: String
        var closed: (date: String?, column: String)?
        switch row.loanStatusID {
        case 300, 303, 304: status = LoanStatus.active.rawValue
        case 600, 602: status = LoanStatus.closed.rawValue; closed = (row.closedOnDate, "closedon_date")
        case 700: status = LoanStatus.closed.rawValue; closed = (row.overpaidOnDate, "overpaidon_date")
        case 601: status = LoanStatus.writtenOff.rawValue; closed = (row.writtenOffOnDate, "writtenoffon_date")
        case let code where FineractLoanStatus.undone.contains(code) && held: status = LoanStatus.cancelled.rawValue
        default: return nil
        }
        let cancelled = status == LoanStatus.cancelled.rawValue

        // principal_disbursed_derived is NOT NULL DEFAULT 0: zero means "not disbursed" (undone).
        let disbursed = row.principalDisbursed.flatMap { FineractMoney.cents($0) == 0 ? nil : $0 }
        let amount = money("m_loan", row.id, disbursed == nil ? "principal_amount" : "principal_disbursed_derived",
                           disbursed ?? row.principalAmount)
        let fee = money("m_loan", row.id, "fee_charges_charged_derived", row.feeChargesCharged) ?? 0
        var rate: String?
        if let text = row.annualNominalInterestRate {
            rate = FineractMoney.fractionOfPercent(text)
            if rate == nil {
                problems.append(FineractRejection(table: "m_loan", row: loanID, column: "annual_nominal_interest_rate",
                                                  message: "\(text) / 100 has more than 4 decimals (rates are never rounded)"))
            }
        }
        let disbursement = row.disbursedOnDate ?? (cancelled ? row.expectedDisbursedOnDate : nil)
        let maturity = row.expectedMaturedOnDate
        var term: Int?
        if let disbursement, let maturity, let from = CalendarDate(iso: disbursement), let to = CalendarDate(iso: maturity) {
            term = to - from
        }

        var mapped = FineractMappedLoan()
        let customerID: String, customerName: String?, officeID: Int64?
        if let client = row.clientID {
            (customerID, customerName, officeID) = (String(client), row.clientName, row.clientOfficeID)
        } else if let group = row.groupID {
            (customerID, customerName, officeID) = ("g\(group)", row.groupName, row.groupOfficeID)
            mapped.supporting.append((key: "customer:g\(group)", entry: groupCustomer(id: group, name: row.groupName ?? "g\(group)")))
        } else {
            (customerID, customerName, officeID) = ("", nil, nil)
            problems.append(FineractRejection(table: "m_loan", row: loanID, column: "client_id",
                                              message: "the loan has neither a client_id nor a group_id"))
        }
        let place = placement(officeID)
        let officerID: String, officerName: String
        if let staff = row.loanOfficerID {
            (officerID, officerName) = (String(staff), row.officerName ?? String(staff))
        } else {
            let office = officeID ?? 1
            (officerID, officerName) = ("unassigned-\(office)", "Unassigned (\(place.branch))")
            mapped.supporting.append((key: "officer:\(officerID)", entry: unassignedOfficer(office: office)))
        }

        let installments = bundle.schedule.sorted { ($0.dueDate, $0.installment, $0.id) < ($1.dueDate, $1.installment, $1.id) }
        var schedule: [JSONValue] = []
        for (index, entry) in installments.enumerated() {
            let principal = money("m_loan_repayment_schedule", entry.id, "principal_amount", entry.principalAmount) ?? 0
            let interest = money("m_loan_repayment_schedule", entry.id, "interest_amount", entry.interestAmount) ?? 0
            let fees = money("m_loan_repayment_schedule", entry.id, "fee_charges_amount", entry.feeChargesAmount) ?? 0
            var record = FineractRecord()
            record.number("installment_number", String(index + 1))
            record.string("due_date", entry.dueDate)
            record.number("principal_due", FineractMoney.text(cents: principal))
            record.number("interest_due", FineractMoney.text(cents: interest))
            record.number("fee_due", FineractMoney.text(cents: fees))
            schedule.append(.object(record.object))
        }

        var record = FineractRecord()
        record.string("loan_id", loanID)
        record.string("customer_id", customerID)
        record.string("customer_name", customerName ?? customerID)
        if row.clientID != nil { record.string("customer_phone", row.clientMobile) }
        record.string("officer_id", officerID)
        record.string("officer_name", officerName)
        if row.loanOfficerID != nil { record.string("officer_phone", row.officerMobile) }
        record.string("region", place.region)
        record.string("branch", place.branch)
        record.number("loan_amount", amount.map { FineractMoney.text(cents: $0) })
        record.string("disbursement_date", disbursement)
        record.string("maturity_date", maturity)
        record.number("loan_term_days", term.map(String.init))
        record.number("interest_rate", rate)
        record.number("fee_amount", FineractMoney.text(cents: fee))
        record.string("channel", channel == .fund ? (row.fundName ?? "Direct") : "Direct")
        record.string("status", status)
        record.string("closed_date", closed?.date)
        record.array("schedule", schedule)
        var loanEntry = record.entry(.loan, location: "m_loan \(row.id)")

        let repayments = self.repayments(bundle, problems: &problems)
        var repaymentEntries: [IngestEntry] = []
        if problems.isEmpty {
            // The ingest validation, once: the decoded records travel with their entries.
            let loan = Self.validate(loan: record.object, row: row, installments: installments, closedColumn: closed?.column)
            problems += loan.problems
            loanEntry.validated = loan.validated
            repaymentEntries = Self.validatedEntries(repayments, problems: &problems)
        }
        guard problems.isEmpty else {
            mapped.supporting = []
            mapped.rejections = problems
            mapped.entries = [Self.rejectedEntry(loanID: row.id, problems: problems)]
            return mapped
        }
        mapped.entries = [loanEntry] + repaymentEntries
        return mapped
    }
}

extension FineractMapping {
    /// The repayment entries of mapped transactions, each through the ingest validation once (the
    /// decoded record travels with its entry); problems are added to `problems`.
    static func validatedEntries(_ repayments: [(transaction: FineractTransaction, object: JSONObject)],
                                 problems: inout [FineractRejection]) -> [IngestEntry] {
        var entries: [IngestEntry] = []
        entries.reserveCapacity(repayments.count)
        for (transaction, object) in repayments {
            let repayment = Self.validate(repayment: object, transaction: transaction)
            problems += repayment.problems
            var entry = FineractRecord.entry(of: object, kind: .repayment, location: "m_loan_transaction \(transaction.id)")
            entry.validated = repayment.validated
            entries.append(entry)
        }
        return entries
    }

    /// The one entry of a loan rejected whole (or of an event refused for it): `etl_rejects` names
    /// the loan, the payload lists why, naming the Fineract table, row and column.
    static func rejectedEntry(loanID: Int64, problems: [FineractRejection]) -> IngestEntry {
        var payload = FineractRecord()
        payload.string("fineract_loan_id", String(loanID))
        payload.array("rejected_because", problems.map { .string($0.description) })
        let message = problems.map(\.description).joined(separator: "; ")
        return IngestEntry(location: "m_loan \(loanID)", kind: .loan, value: .failure(EntryParseError(message: message)),
                           raw: JSONValue.object(payload.object).jsonText, fallbackRecordId: String(loanID))
    }
}

extension FineractRecord {
    /// The entry of a built record.
    static func entry(of object: JSONObject, kind: RecordKind, location: String) -> IngestEntry {
        IngestEntry(location: location, kind: kind, value: .success(.object(object)), raw: "")
    }
}
