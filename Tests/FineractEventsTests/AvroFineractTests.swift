import AnalyticsCore
import FineractEvents
import Testing

/// Fineract's schema sets (two releases) and single-object payloads encoded by Python `avro`.
@Suite("Avro Fineract payloads")
struct AvroFineractTests {
    static func cases() throws -> [JSONObject] {
        try AvroFixtures.generated()["singleObject"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    @Test("both releases load; the root schemas are registered under their fingerprints")
    func registryLoads() throws {
        let registry = try AvroFixtures.registry()
        let loans = registry.entries(named: "org.apache.fineract.avro.loan.v1.LoanAccountDataV1")
        // LoanAccountDataV1 changed between 1.9.0 and 1.10.1: two writer schemas.
        #expect(Set(loans.flatMap(\.releases)) == ["1.9.0", "1.10.1"])
        #expect(loans.count == 2)
        // MessageV1 did not change: one entry carried by both releases.
        let messages = registry.entries(named: "org.apache.fineract.avro.MessageV1")
        #expect(messages.count == 1)
        #expect(messages.first?.releases == ["1.10.1", "1.9.0"])
    }

    @Test("every payload: fingerprint as Python computes it, decoded value as Python wrote it")
    func payloads() throws {
        let registry = try AvroFixtures.registry()
        let cases = try Self.cases()
        #expect(cases.count == 12)
        for testCase in cases {
            let name = "\(testCase["release"]?.stringValue ?? "?") \(testCase["name"]?.stringValue ?? "?")"
            let bytes = AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? "")
            let (entry, value) = try registry.decodeSingleObject(bytes)
            #expect(entry.schema.fingerprint.description == testCase["fingerprint"]?.stringValue, "\(name)")
            #expect(entry.name == testCase["schema"]?.stringValue, "\(name)")
            #expect(entry.releases.contains(testCase["release"]?.stringValue ?? "?"), "\(name)")
            let expected = try #require(testCase["expected"])
            let mismatch = AvroExpectation.mismatch(value, expected)
            #expect(mismatch == nil, "\(name): \(mismatch ?? "")")
        }
    }

    @Test("MessageV1 carries a LoanTransactionDataV1 single-object payload in data")
    func messageWithTransaction() throws {
        let registry = try AvroFixtures.registry()
        let testCase = try #require(try Self.cases().first { $0["name"]?.stringValue == "message with a loan transaction" })
        let (_, message) = try registry.decodeSingleObject(AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? ""))
        let record = try #require(message.recordValue)
        #expect(record.name == "org.apache.fineract.avro.MessageV1")
        #expect(record["id"]?.integerValue == 77)
        #expect(record["idempotencyKey"]?.stringValue == "5b0c3f2e-7d3a-4c5e-9a59-0c6f5e1c2b11")
        #expect(record["dataschema"]?.stringValue == "org.apache.fineract.avro.loan.v1.LoanTransactionDataV1")
        let data = try #require(record["data"]?.bytesValue)
        let (entry, transaction) = try registry.decodeSingleObject(data)
        #expect(entry.name == record["dataschema"]?.stringValue)
        let txn = try #require(transaction.recordValue)
        #expect(txn["id"]?.integerValue == 9001)
        #expect(txn["loanId"]?.integerValue == 42)
        #expect(txn["amount"]?.decimalValue?.money == Money(exactly: "1500.00"))
        #expect(txn["amount"]?.decimalValue?.description == "1500.00000000")
        #expect(txn["outstandingLoanBalance"]?.decimalValue?.description == "-0.00000001")
        #expect(txn["manuallyReversed"]?.boolValue == false)
        #expect(txn["externalId"]?.isNull == true)
        #expect(txn["type"]?.recordValue?["repayment"]?.boolValue == true)
        let relation = try #require(txn["transactionRelations"]?.arrayValue?.first?.recordValue)
        #expect(relation["relationType"]?.stringValue == "REPLAYED")
        #expect(relation["toLoanTransaction"]?.integerValue == 8001)
    }

    @Test("BulkMessagePayloadV1: every item's data decodes with the schema it names")
    func bulk() throws {
        let registry = try AvroFixtures.registry()
        for testCase in try Self.cases() where testCase["name"]?.stringValue == "message with a bulk payload" {
            let (_, message) = try registry.decodeSingleObject(AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? ""))
            let data = try #require(message.recordValue?["data"]?.bytesValue)
            let (entry, bulk) = try registry.decodeSingleObject(data)
            #expect(entry.name == "org.apache.fineract.avro.BulkMessagePayloadV1")
            let items = try #require(bulk.recordValue?["datas"]?.arrayValue)
            #expect(items.count == 3)
            for item in items {
                let record = try #require(item.recordValue)
                let (itemEntry, _) = try registry.decodeSingleObject(record["data"]?.bytesValue ?? [])
                #expect(itemEntry.name == record["dataschema"]?.stringValue)
                #expect(itemEntry.releases.contains(testCase["release"]?.stringValue ?? "?"))
            }
        }
    }
}
