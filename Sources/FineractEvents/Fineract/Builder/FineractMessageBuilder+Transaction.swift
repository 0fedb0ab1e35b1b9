import AnalyticsCore

extension FineractMessageBuilder {
    /// `LoanTransactionDataV1` as `LoanTransactionDataMapper` fills it from `LoanTransactionData`
    /// (`externalOwnerId` is not mapped; charges paid, transfer and unpaid charges are left empty).
    func transactionValue(_ transaction: FineractTransactionPayload, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        var draft = try FineractRecordDraft(FineractEventPayload.transactionSchemaName, in: schema)
        draft.set("id", transaction.id)
        draft.set("loanId", transaction.loanID)
        draft.set("externalLoanId", transaction.externalLoanID)
        draft.set("officeId", transaction.officeID)
        draft.set("officeName", transaction.officeName)
        draft.set("type", try transactionType(transaction.typeID, in: schema))
        draft.set("date", transaction.date)
        draft.set("currency", try currency(transaction.currencyCode, in: schema))
        draft.set("paymentDetailData", try paymentDetail(transaction, in: schema))
        try draft.set("amount", transaction.amount)
        try draft.set("principalPortion", transaction.principalPortion)
        try draft.set("interestPortion", transaction.interestPortion)
        try draft.set("feeChargesPortion", transaction.feeChargesPortion)
        try draft.set("penaltyChargesPortion", transaction.penaltyChargesPortion)
        try draft.set("overpaymentPortion", transaction.overpaymentPortion)
        try draft.set("unrecognizedIncomePortion", Money?.none)
        try draft.set("netDisbursalAmount", transaction.typeID == 1 ? transaction.amount : nil)
        draft.set("externalId", transaction.externalID)
        try draft.set("outstandingLoanBalance", transaction.outstandingLoanBalance)
        draft.set("submittedOnDate", transaction.submittedOnDate)
        draft.set("manuallyReversed", transaction.manuallyReversed)
        draft.set("reversedOnDate", transaction.reversedOnDate)
        draft.set("loanChargePaidByList", AvroValue.array([]))
        var relations: [AvroValue] = []
        for relation in transaction.relations {
            var item = try FineractRecordDraft("\(Self.namespace).loan.v1.LoanTransactionRelationDataV1", in: schema)
            item.set("fromLoanTransaction", relation.fromTransaction)
            item.set("toLoanTransaction", relation.toTransaction)
            item.set("toLoanCharge", Int64?.none)
            try item.set("amount", relation.amount)
            item.set("relationType", relation.relationType)
            item.set("paymentType", String?.none)
            relations.append(try item.value())
        }
        draft.set("transactionRelations", AvroValue.array(relations))
        draft.set("unpaidCharges", AvroValue.array([]))
        return try draft.value()
    }

    /// `LoanTransactionEnumDataV1`: id, code and value as `LoanEnumerations.transactionType` gives
    /// them, and each flag true for its type only (`LoanTransactionEnumData`).
    private func transactionType(_ id: Int32, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        var draft = try FineractRecordDraft("\(Self.namespace).loan.v1.LoanTransactionEnumDataV1", in: schema)
        let (code, value) = Self.transactionTypes[id] ?? ("loanTransactionType.invalid", "Invalid")
        draft.set("id", id)
        draft.set("code", code)
        draft.set("value", value)
        let flags: [(String, Int32)] = [
            ("disbursement", 1), ("repaymentAtDisbursement", 5), ("repayment", 2), ("merchantIssuedRefund", 21),
            ("payoutRefund", 22), ("goodwillCredit", 23), ("chargeRefund", 24), ("contra", 3), ("waiveInterest", 4),
            ("waiveCharges", 9), ("accrual", 10), ("writeOff", 6), ("recoveryRepayment", 8), ("initiateTransfer", 12),
            ("approveTransfer", 13), ("withdrawTransfer", 14), ("rejectTransfer", 15), ("chargePayment", 17), ("refund", 16),
            ("refundForActiveLoans", 18), ("creditBalanceRefund", 20), ("chargeback", 25),
        ]
        for (flag, flagID) in flags where draft.has(flag) { draft.set(flag, id == flagID) }
        return try draft.value()
    }

    /// `PaymentDetailDataV1` when the transaction names a payment type or receipt, else null.
    private func paymentDetail(_ transaction: FineractTransactionPayload, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue? {
        guard transaction.paymentTypeName != nil || transaction.receiptNumber != nil else { return nil }
        var type = try FineractRecordDraft("\(Self.namespace).payment.v1.PaymentTypeDataV1", in: schema)
        type.set("id", Int64(1))
        type.set("name", transaction.paymentTypeName)
        type.set("isCashPayment", transaction.paymentTypeName == "Cash")
        type.set("isSystemDefined", false)
        var detail = try FineractRecordDraft("\(Self.namespace).payment.v1.PaymentDetailDataV1", in: schema)
        detail.set("id", transaction.id)
        detail.set("paymentType", try type.value())
        detail.set("receiptNumber", transaction.receiptNumber)
        return try detail.value()
    }

    /// `CurrencyDataV1` as Fineract's organisation currency gives it.
    func currency(_ code: String, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        let (name, symbol) = Self.currencies[code] ?? (code, code)
        var draft = try FineractRecordDraft("\(Self.namespace).generic.v1.CurrencyDataV1", in: schema)
        draft.set("code", code)
        draft.set("name", name)
        draft.set("decimalPlaces", Int32(2))
        draft.set("inMultiplesOf", Int32(0))
        draft.set("displaySymbol", symbol)
        draft.set("nameCode", "currency.\(code)")
        draft.set("displayLabel", "\(name) (\(symbol))")
        return try draft.value()
    }

    /// `EnumOptionDataV1`.
    func enumOption(_ id: Int32, _ code: String, _ value: String, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        var draft = try FineractRecordDraft("\(Self.namespace).generic.v1.EnumOptionDataV1", in: schema)
        draft.set("id", id)
        draft.set("code", code)
        draft.set("value", value)
        return try draft.value()
    }

    /// `LoanTransactionType.java` codes and `LoanEnumerations.transactionType` values.
    static let transactionTypes: [Int32: (String, String)] = [
        1: ("loanTransactionType.disbursement", "Disbursement"),
        2: ("loanTransactionType.repayment", "Repayment"),
        3: ("loanTransactionType.contra", "Reversal"),
        4: ("loanTransactionType.waiver", "Waive interest"),
        5: ("loanTransactionType.repaymentAtDisbursement", "Repayment (at time of disbursement)"),
        6: ("loanTransactionType.writeOff", "Close (as written-off)"),
        7: ("loanTransactionType.marked.for.rescheduling", "Close (as rescheduled)"),
        8: ("loanTransactionType.recoveryRepayment", "Repayment (after write-off)"),
        9: ("loanTransactionType.waiveCharges", "Waive loan charges"),
        10: ("loanTransactionType.accrual", "Accrual"),
        17: ("loanTransactionType.chargePayment", "Charge Payment"),
        20: ("loanTransactionType.creditBalanceRefund", "Credit Balance Refund"),
        21: ("loanTransactionType.merchantIssuedRefund", "Merchant Issued Refund"),
        22: ("loanTransactionType.payoutRefund", "Payout Refund"),
        23: ("loanTransactionType.goodwillCredit", "Goodwill Credit"),
        24: ("loanTransactionType.chargeRefund", "Charge Refund"),
        25: ("loanTransactionType.chargeback", "Chargeback"),
        26: ("loanTransactionType.chargeAdjustment", "Charge Adjustment"),
        27: ("loanTransactionType.chargeOff", "Charge-off"),
        28: ("loanTransactionType.downPayment", "Down Payment"),
    ]

    static let currencies: [String: (String, String)] = [
        "NGN": ("Nigerian Naira", "₦"), "KES": ("Kenyan Shilling", "KSh"), "UGX": ("Uganda Shilling", "USh"),
        "GHS": ("Ghana Cedi", "GH₵"), "USD": ("US Dollar", "$"),
    ]
}
