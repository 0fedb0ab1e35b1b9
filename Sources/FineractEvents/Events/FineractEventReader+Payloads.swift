import AnalyticsCore

extension FineractEventReader {
    /// `LoanAccountDataV1` -> the loan row and installments the pull would read (FINERACT.md "The
    /// mapping": the same columns, from the fields Fineract fills them from). A loan without a client
    /// (a group loan) is left to the pull.
    static func loan(_ record: AvroRecord, type: String, bytes: [UInt8]) throws(FineractEventFailure) -> FineractEventContent {
        guard let id = record["id"]?.integerValue else {
            throw FineractEventFailure(reason: "a LoanAccountDataV1 without a loan id", bytes: bytes, type: type)
        }
        guard let status = record["status"]?.recordValue?["id"]?.integerValue else {
            throw FineractEventFailure(reason: "loan \(id): LoanAccountDataV1 without status.id", bytes: bytes, type: type, loanID: id)
        }
        guard let clientID = record["clientId"]?.integerValue else { return .ignored(reason: "group loan (left to the pull)") }
        guard let principal = record["principal"]?.decimalValue else {
            throw FineractEventFailure(reason: "loan \(id): LoanAccountDataV1 without principal", bytes: bytes, type: type, loanID: id)
        }
        let timeline = record["timeline"]?.recordValue
        let summary = record["summary"]?.recordValue
        let row = FineractLoanRow(
            id: id, loanStatusID: Int(status), principalAmount: principal.description, clientID: clientID,
            clientName: record["clientName"]?.stringValue, clientOfficeID: record["clientOfficeId"]?.integerValue,
            loanOfficerID: record["loanOfficerId"]?.integerValue, officerName: record["loanOfficerName"]?.stringValue,
            fundName: record["fundName"]?.stringValue, principalDisbursed: summary?["principalDisbursed"]?.decimalValue?.description,
            annualNominalInterestRate: record["annualInterestRate"]?.decimalValue?.description,
            feeChargesCharged: summary?["feeChargesCharged"]?.decimalValue?.description,
            disbursedOnDate: timeline?["actualDisbursementDate"]?.stringValue,
            expectedDisbursedOnDate: timeline?["expectedDisbursementDate"]?.stringValue,
            expectedMaturedOnDate: timeline?["expectedMaturityDate"]?.stringValue, closedOnDate: timeline?["closedOnDate"]?.stringValue,
            overpaidOnDate: record["overpaidOnDate"]?.stringValue, writtenOffOnDate: timeline?["writeOffOnDate"]?.stringValue,
            isChargedOff: record["chargedOff"]?.boolValue ?? false)
        var schedule: [FineractInstallment] = []
        for period in record["repaymentSchedule"]?.recordValue?["periods"]?.arrayValue ?? [] {
            // The disbursement periods carry no period number: not installments.
            guard let fields = period.recordValue, let number = fields["period"]?.integerValue, let due = fields["dueDate"]?.stringValue else {
                continue
            }
            schedule.append(FineractInstallment(id: number, installment: Int(number), dueDate: due,
                                                principalAmount: fields["principalDue"]?.decimalValue?.description,
                                                interestAmount: fields["interestDue"]?.decimalValue?.description,
                                                feeChargesAmount: fields["feeChargesDue"]?.decimalValue?.description))
        }
        return .loan(row, schedule: schedule)
    }

    /// `LoanTransactionDataV1` -> one transaction and its REPLAYED targets.
    static func transaction(_ record: AvroRecord, type: String, bytes: [UInt8]) throws(FineractEventFailure) -> FineractEventContent {
        let (loanID, transaction, replays) = try transactionRow(record, type: type, bytes: bytes)
        return .transaction(loanID: loanID, transaction, replays: replays)
    }

    /// `LoanTransactionAdjustmentDataV1` -> the adjusted transaction (reversed) and its replacement.
    static func adjustment(_ record: AvroRecord, type: String, bytes: [UInt8]) throws(FineractEventFailure) -> FineractEventContent {
        guard let oldRecord = record["transactionToAdjust"]?.recordValue else {
            throw FineractEventFailure(reason: "a LoanTransactionAdjustmentDataV1 without transactionToAdjust", bytes: bytes, type: type)
        }
        var (loanID, old, oldReplays) = try transactionRow(oldRecord, type: type, bytes: bytes)
        // The adjusted transaction is reversed (Fineract reverses it and posts the new one).
        old.isReversed = true
        var new: FineractTransaction?
        var newReplays: [Int64] = []
        if let newRecord = record["newTransactionDetail"]?.recordValue, newRecord["id"]?.integerValue != nil {
            let read = try transactionRow(newRecord, type: type, bytes: bytes)
            (new, newReplays) = (read.1, read.2)
        }
        return .adjustment(loanID: loanID, old: old, oldReplays: oldReplays, new: new, newReplays: newReplays)
    }

    private static func transactionRow(_ record: AvroRecord, type: String,
                                       bytes: [UInt8]) throws(FineractEventFailure) -> (Int64, FineractTransaction, [Int64]) {
        guard let id = record["id"]?.integerValue, let loanID = record["loanId"]?.integerValue,
              let kind = record["type"]?.recordValue?["id"]?.integerValue, let date = record["date"]?.stringValue,
              let amount = record["amount"]?.decimalValue else {
            throw FineractEventFailure(reason: "a LoanTransactionDataV1 without id, loanId, type.id, date or amount", bytes: bytes, type: type,
                                       loanID: record["loanId"]?.integerValue)
        }
        let reversedOn = record["reversedOnDate"]?.stringValue
        let payment = record["paymentDetailData"]?.recordValue
        let transaction = FineractTransaction(
            id: id, type: Int(kind), transactionDate: date, amount: amount.description,
            submittedOnDate: record["submittedOnDate"]?.stringValue ?? date,
            principalPortion: record["principalPortion"]?.decimalValue?.description,
            interestPortion: record["interestPortion"]?.decimalValue?.description,
            feeChargesPortion: record["feeChargesPortion"]?.decimalValue?.description,
            penaltyChargesPortion: record["penaltyChargesPortion"]?.decimalValue?.description,
            isReversed: reversedOn != nil, reversedOnDate: reversedOn,
            manuallyAdjustedOrReversed: record["manuallyReversed"]?.boolValue ?? false,
            paymentType: payment?["paymentType"]?.recordValue?["name"]?.stringValue,
            receiptNumber: payment?["receiptNumber"]?.stringValue)
        var replays: [Int64] = []
        for relation in record["transactionRelations"]?.arrayValue ?? [] {
            guard let fields = relation.recordValue, fields["relationType"]?.stringValue == "REPLAYED",
                  let to = fields["toLoanTransaction"]?.integerValue, to != id else { continue }
            replays.append(to)
        }
        return (loanID, transaction, replays)
    }
}
