import AnalyticsCore
import AnalyticsTestSupport
import FineractEvents
import Foundation
import Testing

/// The messages FineractMessageBuilder writes, read back by this decoder and by the Python `avro`
/// package (scripts/avro/decode-payloads.py), for both releases.
@Suite("Fineract message builder")
struct FineractMessageBuilderTests {
    static let day = CalendarDate(iso: "2024-03-01") ?? CalendarDate(daysSinceEpoch: 0)

    /// A disbursed loan of 1,500 with three monthly installments, the first paid.
    static func loan() -> FineractLoanPayload {
        let start = day
        var periods: [FineractLoanPayload.Period] = [.disbursement(on: start, principal: Money(minorUnits: 150_000), fees: Money(minorUnits: 1_500))]
        for number in 1...3 {
            let due = start.adding(days: 30 * number)
            periods.append(.init(number: Int32(number), fromDate: start.adding(days: 30 * (number - 1)), dueDate: due,
                                 principalDue: Money(minorUnits: 50_000), interestDue: Money(minorUnits: 2_500),
                                 principalPaid: number == 1 ? Money(minorUnits: 50_000) : .zero,
                                 interestPaid: number == 1 ? Money(minorUnits: 2_500) : .zero,
                                 obligationsMetOnDate: number == 1 ? due : nil))
        }
        return FineractLoanPayload(id: 42, clientID: 7, clientName: "Adaeze Okafor", clientOfficeID: 3, loanOfficerID: 11,
                                   loanOfficerName: "Bello, Musa", principal: Money(minorUnits: 150_000), annualInterestRate: "24",
                                   numberOfRepayments: 3, submittedOn: start.adding(days: -2), disbursedOn: start,
                                   expectedMaturityDate: start.adding(days: 90), periods: periods)
    }

    static func repayment(id: Int64 = 9001, relations: [FineractTransactionPayload.Relation] = []) -> FineractTransactionPayload {
        var transaction = FineractTransactionPayload(id: id, loanID: 42, officeID: 3, officeName: "Ikeja", typeID: 2, date: day.adding(days: 30),
                                                     amount: Money(minorUnits: 52_500), principalPortion: Money(minorUnits: 50_000),
                                                     interestPortion: Money(minorUnits: 2_500), relations: relations)
        transaction.paymentTypeName = "Cash"
        transaction.receiptNumber = "R-1"
        transaction.outstandingLoanBalance = Money(minorUnits: 100_000)
        return transaction
    }

    static func payloads() -> [(type: String, payload: FineractEventPayload)] {
        var reversed = repayment(id: 9001)
        reversed.manuallyReversed = true
        reversed.reversedOnDate = day.adding(days: 31)
        let replacement = repayment(id: 9002, relations: [.init(from: 9002, to: 9001, type: "REPLAYED", amount: Money(minorUnits: 52_500))])
        return [
            ("LoanDisbursalBusinessEvent", .loan(loan())),
            ("LoanTransactionMakeRepaymentPostBusinessEvent", .transaction(repayment())),
            ("LoanAdjustTransactionBusinessEvent", .adjustment(transactionToAdjust: reversed, newTransactionDetail: replacement)),
            ("BulkBusinessEvent", .bulk([
                .init(type: "LoanAdjustTransactionBusinessEvent", payload: .adjustment(transactionToAdjust: reversed, newTransactionDetail: replacement)),
                .init(type: "LoanBalanceChangedBusinessEvent", payload: .loan(loan())),
            ])),
        ]
    }

    /// The messages of `payloads()` for a release, and every single-object payload inside them.
    static func messages(release: String) throws -> (messages: [[UInt8]], all: [[UInt8]]) {
        let builder = try FineractMessageBuilder(release: release)
        let registry = try AvroFixtures.registry()
        var messages: [[UInt8]] = []
        var all: [[UInt8]] = []
        for (index, item) in payloads().enumerated() {
            let envelope = FineractEventEnvelope(id: Int32(100 + index), type: item.type,
                                                 category: item.type == "BulkBusinessEvent" ? "Bulk" : "Loan", businessDate: day)
            let message = try builder.message(envelope, item.payload)
            messages.append(message)
            all.append(message)
            let data = try #require(try registry.decodeSingleObject(message).value.recordValue?["data"]?.bytesValue)
            all.append(data)
            for bulkItem in try registry.decodeSingleObject(data).value.recordValue?["datas"]?.arrayValue ?? [] {
                all.append(try #require(bulkItem.recordValue?["data"]?.bytesValue))
            }
        }
        return (messages, all)
    }

    @Test("each payload type, both releases: the release's writer schemas, Fineract's fields", arguments: FineractMessageBuilder.releases)
    func decodedBack(release: String) throws {
        let registry = try AvroFixtures.registry()
        let (messages, _) = try Self.messages(release: release)
        #expect(messages.count == 4)
        for (message, item) in zip(messages, Self.payloads()) {
            let (entry, value) = try registry.decodeSingleObject(message)
            let record = try #require(value.recordValue)
            #expect(entry.name == "org.apache.fineract.avro.MessageV1")
            #expect(record["type"]?.stringValue == item.type)
            #expect(record["dataschema"]?.stringValue == item.payload.schemaName)
            #expect(record["businessDate"]?.stringValue == "2024-03-01")
            #expect(record["tenantId"]?.stringValue == "default")
            #expect(record["idempotencyKey"]?.stringValue?.count == 36)
            let (dataEntry, _) = try registry.decodeSingleObject(try #require(record["data"]?.bytesValue))
            #expect(dataEntry.name == item.payload.schemaName)
            #expect(dataEntry.releases.contains(release))
        }
        // The loan: status, officer, client, office, amounts, the schedule with its disbursement period.
        let loanData = try #require(try registry.decodeSingleObject(messages[0]).value.recordValue?["data"]?.bytesValue)
        let (loanEntry, loanValue) = try registry.decodeSingleObject(loanData)
        #expect(loanEntry.releases == [release])  // LoanAccountDataV1 differs between the releases
        let loan = try #require(loanValue.recordValue)
        #expect(loan["id"]?.integerValue == 42)
        #expect(loan["accountNo"]?.stringValue == "000000042")
        #expect(loan["status"]?.recordValue?["id"]?.integerValue == 300)
        #expect(loan["status"]?.recordValue?["active"]?.boolValue == true)
        #expect(loan["status"]?.recordValue?["code"]?.stringValue == "loanStatusType.active")
        #expect(loan["loanOfficerId"]?.integerValue == 11)
        #expect(loan["loanOfficerName"]?.stringValue == "Bello, Musa")
        #expect(loan["clientId"]?.integerValue == 7)
        #expect(loan["clientOfficeId"]?.integerValue == 3)
        #expect(loan["principal"]?.decimalValue?.description == "1500.00000000")
        #expect(loan["annualInterestRate"]?.decimalValue?.description == "24.00000000")
        #expect(loan["timeline"]?.recordValue?["actualDisbursementDate"]?.stringValue == "2024-03-01")
        #expect(loan["timeline"]?.recordValue?["expectedMaturityDate"]?.stringValue == "2024-05-30")
        #expect(loan["summary"]?.recordValue?["feeChargesCharged"]?.decimalValue?.money == Money(minorUnits: 1_500))
        #expect(loan["summary"]?.recordValue?["principalOutstanding"]?.decimalValue?.money == Money(minorUnits: 100_000))
        let periods = try #require(loan["repaymentSchedule"]?.recordValue?["periods"]?.arrayValue).compactMap(\.recordValue)
        #expect(periods.count == 4)
        #expect(periods[0]["period"]?.isNull == true)
        #expect(periods[0]["principalDisbursed"]?.decimalValue?.money == Money(minorUnits: 150_000))
        #expect(periods[0]["feeChargesDue"]?.decimalValue?.money == Money(minorUnits: 1_500))
        #expect(periods[1]["period"]?.integerValue == 1)
        #expect(periods[1]["complete"]?.boolValue == true)
        #expect(periods[3]["dueDate"]?.stringValue == "2024-05-30")
        #expect(periods[3]["principalLoanBalanceOutstanding"]?.decimalValue?.money == Money.zero)
        #expect(loan["delinquent"]?.recordValue != nil)
        // The adjustment: the reversed repayment and its replacement with a REPLAYED relation.
        let adjustmentData = try #require(try registry.decodeSingleObject(messages[2]).value.recordValue?["data"]?.bytesValue)
        let adjustment = try #require(try registry.decodeSingleObject(adjustmentData).value.recordValue)
        let old = try #require(adjustment["transactionToAdjust"]?.recordValue)
        let new = try #require(adjustment["newTransactionDetail"]?.recordValue)
        #expect(old["id"]?.integerValue == 9001 && old["manuallyReversed"]?.boolValue == true)
        #expect(old["reversedOnDate"]?.stringValue == "2024-04-01")
        #expect(new["type"]?.recordValue?["repayment"]?.boolValue == true)
        #expect(new["type"]?.recordValue?["disbursement"]?.boolValue == false)
        #expect(new["amount"]?.decimalValue?.description == "525.00000000")
        #expect(new["paymentDetailData"]?.recordValue?["receiptNumber"]?.stringValue == "R-1")
        let relation = try #require(new["transactionRelations"]?.arrayValue?.first?.recordValue)
        #expect(relation["relationType"]?.stringValue == "REPLAYED")
        #expect(relation["fromLoanTransaction"]?.integerValue == 9002 && relation["toLoanTransaction"]?.integerValue == 9001)
        // The bulk payload: items numbered from 1, category nocategory.
        let bulkData = try #require(try registry.decodeSingleObject(messages[3]).value.recordValue?["data"]?.bytesValue)
        let bulk = try registry.decodeSingleObject(bulkData).value
        let items = try #require(bulk.recordValue?["datas"]?.arrayValue).compactMap(\.recordValue)
        #expect(items.map { $0["id"]?.integerValue } == [1, 2])
        #expect(items.allSatisfy { $0["category"]?.stringValue == "nocategory" })
    }

    @Test("Python avro decodes every payload the builder writes to the same values", arguments: FineractMessageBuilder.releases)
    func pythonAgrees(release: String) async throws {
        let python = try #require(ProcessInfo.processInfo.environment["AVRO_PYTHON"], "AVRO_PYTHON is not set: run the tests with scripts/test.sh (or set it to the output of scripts/avro/python.sh)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/avro/decode-payloads.py").standardized.path
        let (_, payloads) = try Self.messages(release: release)
        // 4 messages, their 4 data payloads, and the bulk payload's 2 items.
        #expect(payloads.count == 10)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("builder-\(release)-\(UUID().uuidString).hex")
        try payloads.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try await ProcessRunner.run(python, [script, input.path])
        try #require(result.status == 0, "decode-payloads.py failed: \(result.output)")
        let lines = result.output.split(separator: "\n").filter { $0.hasPrefix("{") }
        #expect(lines.count == payloads.count)
        let registry = try AvroFixtures.registry()
        for (payload, line) in zip(payloads, lines) {
            let decoded = try #require(try JSONReader(maximumDepth: 512).parse(Array(line.utf8)).objectValue)
            #expect(decoded["error"] == nil, "\(decoded["error"]?.stringValue ?? "")")
            let (entry, value) = try registry.decodeSingleObject(payload)
            #expect(decoded["schema"]?.stringValue == entry.name)
            #expect(decoded["releases"]?.arrayValue?.contains { $0.stringValue == release } == true)
            let expected = try #require(decoded["value"])
            let mismatch = AvroExpectation.mismatch(value, expected)
            #expect(mismatch == nil, "\(entry.name ?? "?"): \(mismatch ?? "")")
        }
    }

    @Test("an unknown release is refused, naming the ones carried")
    func unknownRelease() throws {
        let error = #expect(throws: FineractMessageError.self) { try FineractMessageBuilder(release: "0.9") }
        #expect(error?.description.contains("1.10.1") == true)
    }
}
