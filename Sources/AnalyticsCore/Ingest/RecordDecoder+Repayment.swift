extension RecordDecoder {
    /// Decodes a repayment. Money components and `waiver_amount` default to 0, flags to false.
    ///
    /// Rules: `payment_amount == principal_paid + interest_paid + fees_paid + penalty_paid`
    /// exactly; `reversal_date` only with `is_reversed = true`; `loan_id` must satisfy `loanExists`.
    public static func decodeRepayment(
        _ object: JSONObject, loanExists: (String) -> Bool
    ) -> DecodedRecord<Repayment> {
        var r = FieldReader(object, kind: .repayment)
        let id = r.readId()
        let loanId = r.string("loan_id")
        let date = r.date("payment_date")
        let amount = r.money("payment_amount")
        let principal = r.moneyOrZero("principal_paid")
        let interest = r.moneyOrZero("interest_paid")
        let fees = r.moneyOrZero("fees_paid")
        let penalty = r.moneyOrZero("penalty_paid")
        let method = r.optionalString("payment_method")
        let reference = r.optionalString("payment_reference")
        let channel = r.optionalString("payment_channel")
        let backdated = r.bool("is_backdated", default: false)
        let reversed = r.bool("is_reversed", default: false)
        let reversalDate = r.optionalDate("reversal_date")
        let reason = r.optionalString("reversal_reason")
        let waiver = r.moneyOrZero("waiver_amount")
        let waiverType = r.optionalString("waiver_type")
        let approvedBy = r.optionalString("waiver_approved_by")

        if let loanId, !loanExists(loanId) {
            r.problem("loan_id", unknownLoan(loanId))
        }
        if let amount, let principal, let interest, let fees, let penalty {
            let sum = principal + interest + fees + penalty
            if sum != amount {
                r.problem("payment_amount", "must equal principal_paid + interest_paid + fees_paid + penalty_paid = \(sum), got \(amount)")
            }
        }
        if reversalDate != nil, !reversed {
            r.problem("reversal_date", "is only allowed when is_reversed is true")
        }
        let unknown = r.finish()
        var repayment: Repayment?
        if r.problems.isEmpty, let id, let loanId, let date, let amount, let principal, let interest, let fees,
           let penalty, let waiver {
            repayment = Repayment(
                repaymentId: id, loanId: loanId, paymentDate: date, paymentAmount: amount, principalPaid: principal,
                interestPaid: interest, feesPaid: fees, penaltyPaid: penalty, paymentMethod: method,
                paymentReference: reference, paymentChannel: channel, isBackdated: backdated, isReversed: reversed,
                reversalDate: reversalDate, reversalReason: reason, waiverAmount: waiver, waiverType: waiverType,
                waiverApprovedBy: approvedBy
            )
        }
        return DecodedRecord(record: repayment, problems: r.problems, unknownFields: unknown, recordId: id)
    }

    /// Why a repayment's `loan_id` is refused when its loan is unknown: the one wording, for a
    /// repayment decoded here and for one validated before its chunk was known (``ValidatedRecord``,
    /// checked by ``IngestChunkDecoder``).
    static func unknownLoan(_ loanId: String) -> String {
        "refers to unknown loan \"\(loanId)\""
    }

    /// The problem of a valid `repayment` whose loan does not exist (see ``unknownLoan(_:)``).
    static func unknownLoanProblem(_ repayment: Repayment) -> ValidationProblem {
        var r = FieldReader(JSONObject(members: []), kind: .repayment, recordId: repayment.repaymentId)
        r.problem("loan_id", unknownLoan(repayment.loanId))
        return r.problems[0]
    }
}
