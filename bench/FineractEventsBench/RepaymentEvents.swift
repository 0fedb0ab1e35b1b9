import AnalyticsCore
import FineractEvents
import Foundation

/// One loan of the tenant: its id and its office (the transaction's `officeId`/`officeName`).
struct BenchLoan: Sendable {
    var id: Int64
    var officeID: Int64
    var officeName: String

    /// Lines `loan_id<TAB>office_id<TAB>office_name`.
    static func load(_ path: String) throws -> [Int64: BenchLoan] {
        var loans: [Int64: BenchLoan] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 3, let id = Int64(parts[0]), let office = Int64(parts[1]) else { continue }
            loans[id] = BenchLoan(id: id, officeID: office, officeName: String(parts[2]))
        }
        return loans
    }
}

/// Repayment events (`LoanTransactionMakeRepaymentPostBusinessEvent` with a `LoanTransactionDataV1`)
/// as Fineract publishes them: event ids and transaction ids counting up from the given firsts, a
/// fresh idempotency key each, dated `date` and submitted that day.
struct RepaymentEvents: Sendable {
    let builder: FineractMessageBuilder
    let date: CalendarDate
    let firstTransactionID: Int64
    let firstEventID: Int32

    /// The message for repayment `sequence` (0-based) of `loan`.
    func message(sequence: Int, loan: BenchLoan, principal: Money, interest: Money) throws -> [UInt8] {
        let transactionID = firstTransactionID + Int64(sequence)
        let transaction = FineractTransactionPayload(
            id: transactionID, loanID: loan.id, officeID: loan.officeID, officeName: loan.officeName, typeID: 2, date: date,
            amount: principal + interest, principalPortion: principal, interestPortion: interest, feeChargesPortion: .zero,
            penaltyChargesPortion: .zero)
        let envelope = FineractEventEnvelope(id: firstEventID &+ Int32(truncatingIfNeeded: sequence),
                                             type: "LoanTransactionMakeRepaymentPostBusinessEvent", category: "Loan",
                                             createdAt: Self.timestamp(Date()), businessDate: date)
        return try builder.message(envelope, .transaction(transaction))
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSSSS` in UTC, as `MessageFactory` writes `createdAt`.
    static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let days = seconds.quotient.quotientAndRemainder(dividingBy: 86_400)
        let day = CalendarDate(daysSinceEpoch: Int32(days.quotient))
        let second = Int(days.remainder)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(day)T\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2)).\(pad(Int(seconds.remainder), 6))"
    }
}
