import AnalyticsCore

extension FineractMessageBuilder {
    /// `LoanAccountDataV1` as `LoanBusinessEventSerializer` fills it: the loan (`retrieveOne`), its
    /// schedule, its summary, and the collection data (`delinquent`, always present); no
    /// transactions (the serializer does not load them). Settlement fields are not mapped (null).
    func loanValue(_ loan: FineractLoanPayload, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        let ns = Self.namespace
        var draft = try FineractRecordDraft(FineractEventPayload.loanSchemaName, in: schema)
        let installments = (loan.periods ?? []).filter { !$0.isDisbursement }
        draft.set("id", loan.id)
        draft.set("accountNo", loan.accountNo)
        draft.set("externalId", loan.externalId)
        draft.set("status", try status(loan.statusID, in: schema))
        draft.set("clientId", loan.clientID)
        draft.set("clientAccountNo", loan.clientID.map { String(repeating: "0", count: max(0, 9 - String($0).count)) + String($0) })
        draft.set("clientName", loan.clientName)
        draft.set("clientOfficeId", loan.clientOfficeID)
        draft.set("loanProductId", loan.productID)
        draft.set("loanProductName", loan.productName)
        draft.set("isLoanProductLinkedToFloatingRate", false)
        draft.set("fundId", loan.fundID)
        draft.set("fundName", loan.fundName)
        draft.set("loanOfficerId", loan.loanOfficerID)
        draft.set("loanOfficerName", loan.loanOfficerName)
        let loanType = loan.clientID == nil ? (Int32(2), "group", "Group") : (Int32(1), "individual", "Individual")
        draft.set("loanType", try enumOption(loanType.0, "accountType.\(loanType.1)", loanType.2, in: schema))
        try draft.set("principal", loan.principalDisbursed ?? loan.principal)
        try draft.set("approvedPrincipal", loan.principal)
        try draft.set("proposedPrincipal", loan.principal)
        try draft.set("netDisbursalAmount", loan.principalDisbursed ?? loan.principal)
        let frequency = try self.frequency(loan.repaymentFrequency, in: schema)
        draft.set("termFrequency", loan.numberOfRepayments * loan.repaymentEvery)
        draft.set("termPeriodFrequencyType", frequency)
        draft.set("numberOfRepayments", loan.numberOfRepayments)
        draft.set("repaymentEvery", loan.repaymentEvery)
        draft.set("repaymentFrequencyType", frequency)
        try draft.set("interestRatePerPeriod", decimal: loan.annualInterestRate)
        draft.set("interestRateFrequencyType", try enumOption(3, "interestRateFrequency.periodFrequencyType.years", "Per year", in: schema))
        try draft.set("annualInterestRate", decimal: loan.annualInterestRate)
        draft.set("isFloatingInterestRate", false)
        draft.set("amortizationType", try enumOption(1, "amortizationType.equal.installments", "Equal installments", in: schema))
        draft.set("interestType", try enumOption(0, "interestType.declining.balance", "Declining Balance", in: schema))
        draft.set("interestCalculationPeriodType", try enumOption(
            1, "interestCalculationPeriodType.same.as.repayment.period", "Same as repayment period", in: schema))
        draft.set("allowPartialPeriodInterestCalculation", false)
        try draft.set("inArrearsTolerance", Money.zero)
        draft.set("transactionProcessingStrategyCode", "mifos-standard-strategy")
        draft.set("transactionProcessingStrategyName", "Penalties, Fees, Interest, Principal order")
        draft.set("expectedFirstRepaymentOnDate", installments.first?.dueDate)
        draft.set("syncDisbursementWithMeeting", false)
        draft.set("timeline", try timeline(loan, in: schema))
        draft.set("summary", try summary(loan, installments, in: schema))
        draft.set("repaymentSchedule", try loan.periods.map { (periods) throws(FineractMessageError) in
            try self.schedule(loan, periods, in: schema)
        })
        draft.set("multiDisburseLoan", false)
        draft.set("disallowExpectedDisbursements", false)
        draft.set("canDefineInstallmentAmount", false)
        draft.set("canDisburse", loan.statusID == 200)
        draft.set("canUseForTopup", false)
        draft.set("isTopup", false)
        draft.set("inArrears", false)
        draft.set("isNPA", false)
        draft.set("daysInMonthType", try enumOption(1, "DaysInMonthType.actual", "Actual", in: schema))
        draft.set("daysInYearType", try enumOption(1, "DaysInYearType.actual", "Actual", in: schema))
        draft.set("isInterestRecalculationEnabled", false)
        draft.set("createStandingInstructionAtDisbursement", false)
        var collection = try FineractRecordDraft("\(ns).loan.v1.CollectionDataV1", in: schema)
        try collection.set("availableDisbursementAmount", Money.zero)
        collection.set("pastDueDays", Int32(0))
        collection.set("nextPaymentDueDate", installments.first { $0.obligationsMetOnDate == nil }?.dueDate)
        collection.set("delinquentDays", Int32(0))
        try collection.set("delinquentAmount", Money.zero)
        collection.set("delinquencyPausePeriods", AvroValue.array([]))
        if collection.has("installmentDelinquencyBuckets") { collection.set("installmentDelinquencyBuckets", AvroValue.array([])) }
        draft.set("delinquent", try collection.value())
        draft.set("overpaidOnDate", loan.overpaidOn)
        draft.set("chargedOff", loan.chargedOff)
        return try draft.value()
    }

    /// `LoanStatusEnumDataV1` (`LoanEnumerations.status`, flags of `LoanStatusEnumData`).
    private func status(_ id: Int32, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        let (code, value) = Self.statuses[id] ?? ("loanStatusType.invalid", "Invalid")
        var draft = try FineractRecordDraft("\(Self.namespace).loan.v1.LoanStatusEnumDataV1", in: schema)
        draft.set("id", id)
        draft.set("code", code)
        draft.set("value", value)
        draft.set("pendingApproval", id == 100)
        draft.set("waitingForDisbursal", id == 200)
        draft.set("active", id == 300)
        draft.set("closedObligationsMet", id == 600)
        draft.set("closedWrittenOff", id == 601)
        draft.set("closedRescheduled", id == 602)
        draft.set("closed", id == 600 || id == 601 || id == 602)
        draft.set("overpaid", id == 700)
        return try draft.value()
    }

    private func frequency(_ id: Int32, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        let names: [Int32: (String, String)] = [0: ("days", "Days"), 1: ("weeks", "Weeks"), 2: ("months", "Months"), 3: ("years", "Years")]
        let (code, value) = names[id] ?? ("invalid", "Invalid")
        return try enumOption(id, "termFrequency.periodFrequencyType.\(code)", value, in: schema)
    }

    private func timeline(_ loan: FineractLoanPayload, in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        var draft = try FineractRecordDraft("\(Self.namespace).loan.v1.LoanApplicationTimelineDataV1", in: schema)
        draft.set("submittedOnDate", loan.submittedOn)
        draft.set("submittedByUsername", "mifos")
        draft.set("approvedOnDate", loan.approvedOn)
        draft.set("approvedByUsername", loan.approvedOn == nil ? nil : "mifos")
        draft.set("expectedDisbursementDate", loan.expectedDisbursementDate)
        draft.set("actualDisbursementDate", loan.disbursedOn)
        draft.set("disbursedByUsername", loan.disbursedOn == nil ? nil : "mifos")
        draft.set("closedOnDate", loan.closedOn ?? loan.writtenOffOn)
        draft.set("expectedMaturityDate", loan.expectedMaturityDate)
        draft.set("writeOffOnDate", loan.writtenOffOn)
        return try draft.value()
    }

    /// `LoanSummaryDataV1` from the installments (what is due, paid and outstanding).
    private func summary(_ loan: FineractLoanPayload, _ installments: [FineractLoanPayload.Period],
                         in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        var draft = try FineractRecordDraft("\(Self.namespace).loan.v1.LoanSummaryDataV1", in: schema)
        draft.set("currency", try currency(loan.currencyCode, in: schema))
        let principal = installments.reduce(Money.zero) { $0 + $1.principalDue }
        let principalPaid = installments.reduce(Money.zero) { $0 + $1.principalPaid }
        let interest = installments.reduce(Money.zero) { $0 + $1.interestDue }
        let interestPaid = installments.reduce(Money.zero) { $0 + $1.interestPaid }
        // Charges due at disbursement are in the disbursement period, paid when the loan is disbursed.
        let atDisbursement = (loan.periods ?? []).filter(\.isDisbursement).reduce(Money.zero) { $0 + $1.feeChargesDue }
        let fees = installments.reduce(atDisbursement) { $0 + $1.feeChargesDue }
        let feesPaid = installments.reduce(loan.disbursedOn == nil ? .zero : atDisbursement) { $0 + $1.feeChargesPaid }
        let penalties = installments.reduce(Money.zero) { $0 + $1.penaltyChargesDue }
        let penaltiesPaid = installments.reduce(Money.zero) { $0 + $1.penaltyChargesPaid }
        let written = loan.writtenOffOn != nil
        try draft.set("principalDisbursed", loan.principalDisbursed ?? .zero)
        try draft.set("principalAdjustments", Money.zero)
        try draft.set("principalPaid", principalPaid)
        try draft.set("principalWrittenOff", written ? principal - principalPaid : .zero)
        try draft.set("principalOutstanding", written ? .zero : principal - principalPaid)
        try draft.set("principalOverdue", Money.zero)
        try draft.set("interestCharged", interest)
        try draft.set("interestPaid", interestPaid)
        try draft.set("interestWaived", Money.zero)
        try draft.set("interestWrittenOff", written ? interest - interestPaid : .zero)
        try draft.set("interestOutstanding", written ? .zero : interest - interestPaid)
        try draft.set("interestOverdue", Money.zero)
        try draft.set("feeChargesCharged", fees)
        try draft.set("feeChargesDueAtDisbursementCharged", atDisbursement)
        try draft.set("feeChargesPaid", feesPaid)
        try draft.set("feeChargesWaived", Money.zero)
        try draft.set("feeChargesWrittenOff", Money.zero)
        try draft.set("feeChargesOutstanding", fees - feesPaid)
        try draft.set("feeChargesOverdue", Money.zero)
        try draft.set("penaltyChargesCharged", penalties)
        try draft.set("penaltyChargesPaid", penaltiesPaid)
        try draft.set("penaltyChargesWaived", Money.zero)
        try draft.set("penaltyChargesWrittenOff", Money.zero)
        try draft.set("penaltyChargesOutstanding", penalties - penaltiesPaid)
        try draft.set("penaltyChargesOverdue", Money.zero)
        let expected = principal + interest + fees + penalties
        let paid = principalPaid + interestPaid + feesPaid + penaltiesPaid
        try draft.set("totalExpectedRepayment", expected)
        try draft.set("totalRepayment", paid)
        try draft.set("totalExpectedCostOfLoan", interest + fees + penalties)
        try draft.set("totalCostOfLoan", interest + fees + penalties)
        try draft.set("totalWaived", Money.zero)
        try draft.set("totalWrittenOff", written ? expected - paid : .zero)
        try draft.set("totalOutstanding", written ? .zero : expected - paid)
        try draft.set("totalOverdue", Money.zero)
        try draft.set("totalRecovered", Money.zero)
        try draft.set("totalRepaymentTransaction", paid)
        try draft.set("totalRepaymentTransactionReversed", Money.zero)
        return try draft.value()
    }

    /// `LoanScheduleDataV1`: totals and the periods, the disbursement period as
    /// `LoanSchedulePeriodData.disbursementOnlyPeriod` writes it.
    private func schedule(_ loan: FineractLoanPayload, _ periods: [FineractLoanPayload.Period],
                          in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        let installments = periods.filter { !$0.isDisbursement }
        var draft = try FineractRecordDraft("\(Self.namespace).loan.v1.LoanScheduleDataV1", in: schema)
        draft.set("currency", try currency(loan.currencyCode, in: schema))
        if let start = loan.disbursedOn, let end = installments.last?.dueDate { draft.set("loanTermInDays", Int32(end - start)) }
        let principal = installments.reduce(Money.zero) { $0 + $1.principalDue }
        let interest = installments.reduce(Money.zero) { $0 + $1.interestDue }
        let fees = periods.reduce(Money.zero) { $0 + $1.feeChargesDue }
        let penalties = installments.reduce(Money.zero) { $0 + $1.penaltyChargesDue }
        let paid = periods.reduce(Money.zero) { total, period in
            total + (period.isDisbursement ? period.feeChargesDue
                : period.principalPaid + period.interestPaid + period.feeChargesPaid + period.penaltyChargesPaid)
        }
        try draft.set("totalPrincipalDisbursed", loan.principalDisbursed ?? .zero)
        try draft.set("totalPrincipalExpected", principal)
        try draft.set("totalPrincipalPaid", installments.reduce(Money.zero) { $0 + $1.principalPaid })
        try draft.set("totalInterestCharged", interest)
        try draft.set("totalFeeChargesCharged", fees)
        try draft.set("totalPenaltyChargesCharged", penalties)
        try draft.set("totalWaived", Money.zero)
        try draft.set("totalWrittenOff", Money.zero)
        try draft.set("totalRepaymentExpected", principal + interest + fees + penalties)
        try draft.set("totalRepayment", paid)
        try draft.set("totalPaidInAdvance", Money.zero)
        try draft.set("totalPaidLate", Money.zero)
        try draft.set("totalOutstanding", principal + interest + fees + penalties - paid)
        var values: [AvroValue] = []
        var balance = loan.principalDisbursed ?? loan.principal
        for period in periods {
            values.append(try periodValue(period, balance: &balance, in: schema))
        }
        draft.set("periods", AvroValue.array(values))
        return try draft.value()
    }

    private func periodValue(_ period: FineractLoanPayload.Period, balance: inout Money,
                             in schema: AvroParsedSchema) throws(FineractMessageError) -> AvroValue {
        var draft = try FineractRecordDraft("\(Self.namespace).loan.v1.LoanSchedulePeriodDataV1", in: schema)
        draft.set("period", period.number)
        draft.set("fromDate", period.fromDate)
        draft.set("dueDate", period.dueDate)
        try draft.set("totalCredits", Money.zero)
        draft.set("downPaymentPeriod", false)
        if period.isDisbursement {
            try draft.set("principalDisbursed", period.principalDisbursed)
            try draft.set("principalLoanBalanceOutstanding", period.principalDisbursed)
            try draft.set("feeChargesDue", period.feeChargesDue)
            try draft.set("feeChargesPaid", period.feeChargesDue)
            try draft.set("totalOriginalDueForPeriod", period.feeChargesDue)
            try draft.set("totalDueForPeriod", period.feeChargesDue)
            try draft.set("totalPaidForPeriod", period.feeChargesDue)
            try draft.set("totalActualCostOfLoanForPeriod", period.feeChargesDue)
            return try draft.value()
        }
        let complete = period.obligationsMetOnDate != nil
        balance -= period.principalDue
        if let from = period.fromDate { draft.set("daysInPeriod", Int32(period.dueDate - from)) }
        draft.set("obligationsMetOnDate", period.obligationsMetOnDate)
        draft.set("complete", complete)
        let due = period.principalDue + period.interestDue + period.feeChargesDue + period.penaltyChargesDue
        let paid = period.principalPaid + period.interestPaid + period.feeChargesPaid + period.penaltyChargesPaid
        let amounts: [(String, Money)] = [
            ("principalOriginalDue", period.principalDue), ("principalDue", period.principalDue),
            ("principalPaid", period.principalPaid), ("principalWrittenOff", .zero),
            ("principalOutstanding", period.principalDue - period.principalPaid), ("principalLoanBalanceOutstanding", balance),
            ("interestOriginalDue", period.interestDue), ("interestDue", period.interestDue), ("interestPaid", period.interestPaid),
            ("interestWaived", .zero), ("interestWrittenOff", .zero), ("interestOutstanding", period.interestDue - period.interestPaid),
            ("feeChargesDue", period.feeChargesDue), ("feeChargesPaid", period.feeChargesPaid), ("feeChargesWaived", .zero),
            ("feeChargesWrittenOff", .zero), ("feeChargesOutstanding", period.feeChargesDue - period.feeChargesPaid),
            ("penaltyChargesDue", period.penaltyChargesDue), ("penaltyChargesPaid", period.penaltyChargesPaid),
            ("penaltyChargesWaived", .zero), ("penaltyChargesWrittenOff", .zero),
            ("penaltyChargesOutstanding", period.penaltyChargesDue - period.penaltyChargesPaid),
            ("totalOriginalDueForPeriod", due), ("totalDueForPeriod", due), ("totalPaidForPeriod", paid),
            ("totalPaidInAdvanceForPeriod", .zero), ("totalPaidLateForPeriod", .zero), ("totalWaivedForPeriod", .zero),
            ("totalWrittenOffForPeriod", .zero), ("totalOutstandingForPeriod", due - paid),
            ("totalActualCostOfLoanForPeriod", period.interestDue + period.feeChargesDue + period.penaltyChargesDue),
            ("totalInstallmentAmountForPeriod", period.principalDue + period.interestDue),
        ]
        for (field, amount) in amounts { try draft.set(field, amount) }
        return try draft.value()
    }

    /// `LoanStatus.java` codes and `LoanEnumerations.status` values.
    static let statuses: [Int32: (String, String)] = [
        100: ("loanStatusType.submitted.and.pending.approval", "Submitted and pending approval"),
        200: ("loanStatusType.approved", "Approved"),
        300: ("loanStatusType.active", "Active"),
        303: ("loanStatusType.transfer.in.progress", "Transfer in progress"),
        304: ("loanStatusType.transfer.on.hold", "Transfer on hold"),
        400: ("loanStatusType.withdrawn.by.client", "Withdrawn by applicant"),
        500: ("loanStatusType.rejected", "Rejected"),
        600: ("loanStatusType.closed.obligations.met", "Closed (obligations met)"),
        601: ("loanStatusType.closed.written.off", "Closed (written off)"),
        602: ("loanStatusType.closed.reschedule.outstanding.amount", "Closed (rescheduled)"),
        700: ("loanStatusType.overpaid", "Overpaid"),
    ]
}
