import AnalyticsCore
@testable import FineractEvents
import Foundation
import Testing

/// The consumer's mapping without servers: Fineract's events (decoded values) -> what the ingest
/// path receives, by FINERACT.md "The events" and the pull's own mapping.
@Suite("Fineract events: mapping")
struct FineractEventPlanTests {
    // Head office, a region under it, a branch under that (FINERACT.md "Offices", region level 1).
    static let offices = FineractOffices([FineractOffice(id: 1, name: "Head Office", hierarchy: "."),
                                          FineractOffice(id: 4, name: "Lagos", hierarchy: ".4."),
                                          FineractOffice(id: 9, name: "Ikeja", hierarchy: ".4.9.")], regionLevel: 1)
    static let mapping = FineractMapping(offices: offices)

    static func loanRow(id: Int64 = 100, status: Int = 300, officer: Int64? = 5) -> FineractLoanRow {
        FineractLoanRow(id: id, loanStatusID: status, principalAmount: "10000.00000000", clientID: 7, clientName: "Ada Obi",
                        clientOfficeID: 9, loanOfficerID: officer, officerName: officer == nil ? nil : "Bello, Musa",
                        principalDisbursed: "10000.00000000", annualNominalInterestRate: "24.00000000", feeChargesCharged: "0.00000000",
                        disbursedOnDate: "2024-01-01", expectedDisbursedOnDate: "2024-01-01", expectedMaturedOnDate: "2024-03-31")
    }

    static let schedule = [
        FineractInstallment(id: 1, installment: 1, dueDate: "2024-01-31", principalAmount: "3000.00000000", interestAmount: "200.00000000",
                            feeChargesAmount: nil),
        FineractInstallment(id: 2, installment: 2, dueDate: "2024-02-29", principalAmount: "3000.00000000", interestAmount: "200.00000000",
                            feeChargesAmount: nil),
        FineractInstallment(id: 3, installment: 3, dueDate: "2024-03-31", principalAmount: "4000.00000000", interestAmount: "200.00000000",
                            feeChargesAmount: nil),
    ]

    static func message(id: Int64 = 60, _ contents: [FineractEventContent], type: String = "LoanDisbursalBusinessEvent") -> FineractEventMessage {
        FineractEventMessage(id: id, type: contents.count > 1 ? "BulkBusinessEvent" : type, dataschema: "x", idempotencyKey: "key-\(id)",
                             createdAt: "", businessDate: "2024-03-01", tenantID: "default",
                             events: contents.map { .success(FineractEvent(type: type, dataschema: "x", content: $0)) })
    }

    static func repayment(_ id: Int64, date: String, submitted: String, type: Int = 2, principal: String = "1000.00000000",
                          interest: String = "200.00000000") -> FineractTransaction {
        FineractTransaction(id: id, type: type, transactionDate: date, amount: "1200.00000000", submittedOnDate: submitted,
                            principalPortion: principal, interestPortion: interest, paymentType: "Cash")
    }

    static func held(_ loans: Set<String> = ["100"], chains: [Int64: FineractMapping.ChainRoot] = [:]) -> FineractEventContext {
        var context = FineractEventContext()
        context.held = loans
        context.chains = chains
        return context
    }

    @Test("a loan snapshot becomes the loan record the pull makes: placement by clientOfficeId, phones from the stored master data")
    func loanSnapshot() throws {
        var context = FineractEventContext()
        context.customerPhones["7"] = "+2348000000007"
        context.officerPhones["5"] = "+2348000000005"
        let plan = FineractEventPlan(message: Self.message([.loan(Self.loanRow(), schedule: Self.schedule)]), context: context,
                                     mapping: Self.mapping)
        #expect(plan.entries.count == 1)
        let loan = try #require(plan.entries.first?.object)
        #expect(loan["loan_id"]?.stringValue == "100")
        #expect(loan["customer_id"]?.stringValue == "7")
        #expect(loan["customer_name"]?.stringValue == "Ada Obi")
        #expect(loan["customer_phone"]?.stringValue == "+2348000000007")
        #expect(loan["officer_id"]?.stringValue == "5")
        #expect(loan["officer_name"]?.stringValue == "Bello, Musa")
        #expect(loan["officer_phone"]?.stringValue == "+2348000000005")
        #expect(loan["region"]?.stringValue == "Lagos")
        #expect(loan["branch"]?.stringValue == "Ikeja")
        #expect(loan["loan_amount"]?.numberText == "10000.00")
        #expect(loan["interest_rate"]?.numberText == "0.24")
        #expect(loan["loan_term_days"]?.numberText == "90")
        #expect(loan["status"]?.stringValue == "Active")
        let schedule = try #require(loan["schedule"]?.arrayValue)
        #expect(schedule.compactMap { $0.objectValue?["principal_due"]?.numberText } == ["3000.00", "3000.00", "4000.00"])
        #expect(schedule.compactMap { $0.objectValue?["installment_number"]?.numberText } == ["1", "2", "3"])
        #expect(plan.snapshots == ["100": 60])
        #expect(plan.loans == ["100"])

        // One mapping: the pull's FineractMapping.loan on the same row gives the same record.
        var pulled = Self.loanRow()
        pulled.clientMobile = "+2348000000007"
        pulled.officerMobile = "+2348000000005"
        let viaPull = try #require(Self.mapping.loan(FineractLoanBundle(loan: pulled, schedule: Self.schedule), held: false))
        #expect(viaPull.entries.first?.object.map { JSONValue.object($0).jsonText } == JSONValue.object(loan).jsonText)
    }

    @Test("an older loan snapshot (by message id) is not applied over a newer one; a newer one is")
    func snapshotOrder() {
        var context = Self.held()
        context.snapshots["100"] = 50
        let older = FineractEventPlan(message: Self.message(id: 40, [.loan(Self.loanRow(status: 601), schedule: Self.schedule)]),
                                      context: context, mapping: Self.mapping)
        #expect(older.entries.isEmpty)
        #expect(older.ignored == ["stale loan snapshot": 1])
        #expect(older.snapshots.isEmpty)
        let newer = FineractEventPlan(message: Self.message(id: 51, [.loan(Self.loanRow(), schedule: Self.schedule)]),
                                      context: context, mapping: Self.mapping)
        #expect(newer.entries.count == 1)
        #expect(newer.snapshots == ["100": 51])
    }

    @Test("a loan without an officer gets the office's unassigned officer, as in the pull")
    func unassigned() throws {
        let plan = FineractEventPlan(message: Self.message([.loan(Self.loanRow(officer: nil), schedule: Self.schedule)]),
                                     context: FineractEventContext(), mapping: Self.mapping)
        let officer = try #require(plan.entries.first?.object)
        #expect(officer["officer_id"]?.stringValue == "unassigned-9")
        #expect(officer["officer_name"]?.stringValue == "Unassigned (Ikeja)")
        #expect(plan.entries.last?.object?["officer_id"]?.stringValue == "unassigned-9")
    }

    @Test("a repayment of a held loan becomes its repayment record; one of a loan we do not hold is left to the pull")
    func repayment() throws {
        let event = FineractEventContent.transaction(loanID: 100, Self.repayment(9100, date: "2024-02-05", submitted: "2024-02-15"), replays: [])
        let plan = FineractEventPlan(message: Self.message([event], type: "LoanTransactionMakeRepaymentPostBusinessEvent"),
                                     context: Self.held(), mapping: Self.mapping)
        let record = try #require(plan.entries.first?.object)
        #expect(record["repayment_id"]?.stringValue == "9100")
        #expect(record["loan_id"]?.stringValue == "100")
        #expect(record["payment_amount"]?.numberText == "1200.00")
        #expect(record["principal_paid"]?.numberText == "1000.00")
        #expect(record["interest_paid"]?.numberText == "200.00")
        #expect(record["payment_method"]?.stringValue == "Cash")
        // Paid on the 5th, entered on the 15th.
        #expect(record["is_backdated"]?.boolValue == true)
        #expect(record["is_reversed"]?.boolValue == false)
        #expect(plan.chains == [FineractEventPlan.Chain(transaction: 9100, loan: "100",
                                                        root: FineractMapping.ChainRoot(id: 9100, submittedOnDate: "2024-02-15"))])

        let elsewhere = FineractEventPlan(message: Self.message([event]), context: Self.held([]), mapping: Self.mapping)
        #expect(elsewhere.entries.isEmpty)
        #expect(elsewhere.ignored == ["loan not held (left to the pull)": 1])
    }

    @Test("a system replay (REPLAYED relation) keeps the first transaction's record: its id and is_backdated; not a reversal")
    func replay() throws {
        let old = Self.repayment(9100, date: "2024-02-05", submitted: "2024-02-15")
        // Replayed on the 20th after an earlier backdated payment: new id, new submitted date, new split.
        let new = Self.repayment(9200, date: "2024-02-05", submitted: "2024-02-20", principal: "1100.00000000", interest: "100.00000000")
        let event = FineractEventContent.adjustment(loanID: 100, old: old, oldReplays: [], new: new, newReplays: [9100])
        for context in [Self.held(), Self.held(chains: [9100: FineractMapping.ChainRoot(id: 9100, submittedOnDate: "2024-02-15")])] {
            let plan = FineractEventPlan(message: Self.message([event], type: "LoanAdjustTransactionBusinessEvent"), context: context,
                                         mapping: Self.mapping)
            #expect(plan.entries.count == 1)
            let record = try #require(plan.entries.first?.object)
            #expect(record["repayment_id"]?.stringValue == "9100")
            #expect(record["principal_paid"]?.numberText == "1100.00")
            #expect(record["is_backdated"]?.boolValue == true)
            #expect(record["is_reversed"]?.boolValue == false)
            #expect(plan.chains.map(\.transaction) == [9200])
            #expect(plan.chains.first?.root == FineractMapping.ChainRoot(id: 9100, submittedOnDate: "2024-02-15"))
        }

        // Replayed again: the chain's first transaction is found through the stored chain of 9200.
        let third = Self.repayment(9300, date: "2024-02-05", submitted: "2024-02-25")
        let again = FineractEventContent.adjustment(loanID: 100, old: new, oldReplays: [9100], new: third, newReplays: [9200, 9100])
        let plan = FineractEventPlan(message: Self.message([again], type: "LoanAdjustTransactionBusinessEvent"),
                                     context: Self.held(chains: [9100: FineractMapping.ChainRoot(id: 9100, submittedOnDate: "2024-02-15"),
                                                                 9200: FineractMapping.ChainRoot(id: 9100, submittedOnDate: "2024-02-15")]),
                                     mapping: Self.mapping)
        #expect(plan.entries.first?.object?["repayment_id"]?.stringValue == "9100")
        #expect(plan.entries.count == 1)
    }

    @Test("a person's reversal (manuallyReversed, no REPLAYED relation) reverses the record of its chain")
    func reversal() throws {
        var old = Self.repayment(9200, date: "2024-02-05", submitted: "2024-02-20")
        old.isReversed = true
        old.reversedOnDate = "2024-02-25"
        old.manuallyAdjustedOrReversed = true
        let event = FineractEventContent.adjustment(loanID: 100, old: old, oldReplays: [9100], new: nil, newReplays: [])
        let plan = FineractEventPlan(message: Self.message([event], type: "LoanAdjustTransactionBusinessEvent"),
                                     context: Self.held(chains: [9200: FineractMapping.ChainRoot(id: 9100, submittedOnDate: "2024-02-15")]),
                                     mapping: Self.mapping)
        let record = try #require(plan.entries.first?.object)
        #expect(plan.entries.count == 1)
        #expect(record["repayment_id"]?.stringValue == "9100")
        #expect(record["is_reversed"]?.boolValue == true)
        #expect(record["reversal_date"]?.stringValue == "2024-02-25")
    }

    @Test("a chargeback is parked naming the loan; the loan keeps its records")
    func chargeback() throws {
        let chargeback = Self.repayment(9400, date: "2024-02-10", submitted: "2024-02-10", type: 25)
        let plan = FineractEventPlan(message: Self.message([.transaction(loanID: 100, chargeback, replays: [])],
                                                           type: "LoanChargebackTransactionBusinessEvent"),
                                     context: Self.held(), mapping: Self.mapping)
        #expect(plan.parked == 1)
        let entry = try #require(plan.entries.first)
        #expect(plan.entries.count == 1)
        #expect(entry.fallbackRecordId == "100")
        guard case .failure(let error) = entry.value else { Issue.record("the chargeback must be rejected"); return }
        #expect(error.message.contains("chargeback"))
        #expect(plan.chains.isEmpty)
    }

    @Test("a bulk's items apply in order: a loan disbursed and repaid in one message; other events are counted")
    func bulkOrder() {
        let plan = FineractEventPlan(message: Self.message([
            .loan(Self.loanRow(), schedule: Self.schedule),
            .transaction(loanID: 100, Self.repayment(9100, date: "2024-01-31", submitted: "2024-01-31"), replays: []),
            .transaction(loanID: 100, FineractTransaction(id: 9101, type: 10, transactionDate: "2024-01-31", amount: "5.00000000",
                                                          submittedOnDate: "2024-01-31"), replays: []),
            .ignored(reason: "LoanChargeDataV1"),
        ]), context: Self.held([]), mapping: Self.mapping)
        #expect(plan.entries.map(\.kind) == [.loan, .repayment])
        #expect(plan.ignored.values.reduce(0, +) == 2)
        #expect(plan.ignored["LoanChargeDataV1"] == 1)
    }

    @Test("an item that cannot be read is parked with its bytes in base64 and the reason")
    func parkedItem() throws {
        let failure = FineractEventFailure(reason: "unknown writer schema fingerprint 0x0102", fingerprint: "0x0102", bytes: [0xC3, 0x01, 0xFF],
                                           type: "LoanDisbursalBusinessEvent")
        let message = FineractEventMessage(id: 70, type: "BulkBusinessEvent", dataschema: "x", idempotencyKey: "k", createdAt: "",
                                           businessDate: "", tenantID: "", events: [.failure(failure)])
        let plan = FineractEventPlan(message: message, context: FineractEventContext(), mapping: Self.mapping)
        #expect(plan.parked == 1)
        let entry = try #require(plan.entries.first)
        let payload = try #require(try JSONReader().parse(Array(entry.raw.utf8)).objectValue)
        #expect(payload["bytes_base64"]?.stringValue == "wwH/")
        #expect(payload["fingerprint"]?.stringValue == "0x0102")
        #expect(payload["reason"]?.stringValue == failure.reason)
    }
}
