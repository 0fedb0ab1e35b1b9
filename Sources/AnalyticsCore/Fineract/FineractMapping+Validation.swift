extension FineractMapping {
    /// A mapped loan through the ingest validation (the decoder the ingest path runs): the decoded
    /// loan, handed on with its entry so the ingest path does not decode it again, or its problems,
    /// each pointed at the Fineract table, row and column it comes from.
    static func validate(loan: JSONObject, row: FineractLoanRow, installments: [FineractInstallment],
                         closedColumn: String?) -> (validated: ValidatedRecord?, problems: [FineractRejection]) {
        let decoded = RecordDecoder.decodeLoan(loan)
        let loanID = String(row.id)
        return (ValidatedRecord(decoded, IngestRecord.loan), decoded.problems.map { problem in
            let field = problem.field
            if field.hasPrefix("schedule["), let close = field.firstIndex(of: "]"),
               let index = Int(field[field.index(field.startIndex, offsetBy: 9)..<close]), installments.indices.contains(index) {
                let sub = field[field.index(after: close)...].drop { $0 == "." }
                let column = ["due_date": "duedate", "principal_due": "principal_amount", "interest_due": "interest_amount",
                              "fee_due": "fee_charges_amount", "installment_number": "installment"][String(sub)] ?? String(sub)
                return FineractRejection(table: "m_loan_repayment_schedule", row: String(installments[index].id), column: column,
                                         message: "(loan \(loanID)) \(problem.message)")
            }
            if field == "schedule" {
                let column = problem.message.contains("principal_due") ? "principal_amount" : "installment"
                return FineractRejection(table: "m_loan_repayment_schedule", row: installments.map { String($0.id) }.joined(separator: ", "),
                                         column: column, message: "(loan \(loanID)) \(problem.message)")
            }
            let columns: [String: (String, String, String)] = [
                "loan_amount": ("m_loan", loanID, "principal_disbursed_derived"),
                "disbursement_date": ("m_loan", loanID, "disbursedon_date"),
                "maturity_date": ("m_loan", loanID, "expected_maturedon_date"),
                "loan_term_days": ("m_loan", loanID, "expected_maturedon_date"),
                "interest_rate": ("m_loan", loanID, "annual_nominal_interest_rate"),
                "fee_amount": ("m_loan", loanID, "fee_charges_charged_derived"),
                "status": ("m_loan", loanID, "loan_status_id"),
                "closed_date": ("m_loan", loanID, closedColumn ?? "closedon_date"),
                "customer_name": row.clientID.map { ("m_client", String($0), "display_name") } ?? ("m_group", String(row.groupID ?? 0), "display_name"),
                "customer_phone": ("m_client", String(row.clientID ?? 0), "mobile_no"),
                "officer_name": ("m_staff", String(row.loanOfficerID ?? 0), "display_name"),
                "officer_phone": ("m_staff", String(row.loanOfficerID ?? 0), "mobile_no"),
            ]
            let (table, id, column) = columns[field] ?? ("m_loan", loanID, field)
            return FineractRejection(table: table, row: id, column: column, message: problem.message)
        })
    }

    /// A mapped repayment through the ingest validation (its loan taken as present: the chunk
    /// decoder checks that, the loan travelling in the same chunk): the decoded repayment, or its
    /// problems pointed at the transaction's columns.
    static func validate(repayment: JSONObject, transaction: FineractTransaction) -> (validated: ValidatedRecord?, problems: [FineractRejection]) {
        let decoded = RecordDecoder.decodeRepayment(repayment) { _ in true }
        let columns = ["payment_date": "transaction_date", "payment_amount": "amount", "principal_paid": "principal_portion_derived",
                       "interest_paid": "interest_portion_derived", "fees_paid": "fee_charges_portion_derived",
                       "penalty_paid": "penalty_charges_portion_derived", "payment_method": "payment_detail_id",
                       "payment_reference": "payment_detail_id", "reversal_date": "reversed_on_date", "waiver_amount": "amount"]
        return (ValidatedRecord(decoded, IngestRecord.repayment), decoded.problems.map {
            FineractRejection(table: "m_loan_transaction", row: String(transaction.id), column: columns[$0.field] ?? $0.field,
                              message: $0.message)
        })
    }
}
