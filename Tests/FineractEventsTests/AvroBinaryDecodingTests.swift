import AnalyticsCore
import FineractEvents
import Testing

/// Values encoded by the Python `avro` package (scripts/avro/generate-fixtures.py), decoded here.
@Suite("Avro binary decoding")
struct AvroBinaryDecodingTests {
    static func cases() throws -> [JSONObject] {
        try AvroFixtures.generated()["binary"]?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    static func parse(_ schema: JSONValue?) throws -> AvroParsedSchema {
        var parser = AvroSchemaParser()
        return try parser.parse(schema?.jsonText ?? "")
    }

    @Test("every type, nested and recursive records, logical types, multi-block arrays and maps")
    func generatedCases() throws {
        let cases = try Self.cases()
        #expect(cases.count == 2)
        for testCase in cases {
            let name = testCase["name"]?.stringValue ?? "?"
            let schema = try Self.parse(testCase["schema"])
            let bytes = AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? "")
            #expect(!bytes.isEmpty)
            let value = try AvroDecoder().decode(bytes, as: schema)
            let expected = try #require(testCase["expected"])
            #expect(AvroExpectation.mismatch(value, expected) == nil, "\(name): \(AvroExpectation.mismatch(value, expected) ?? "")")
        }
    }

    @Test("decimals are exact: negative, scale 8, as Money when the scale allows")
    func decimals() throws {
        let testCase = try #require(try Self.cases().first { $0["name"]?.stringValue == "all types" })
        let value = try AvroDecoder().decode(AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? ""), as: try Self.parse(testCase["schema"]))
        let inner = try #require(value.recordValue?["inner"]?.recordValue)
        let amount = try #require(inner["amount"]?.decimalValue)
        #expect(amount.description == "-1234.56780000")
        #expect(amount.scale == 8)
        #expect(amount.money == nil)  // -1234.5678 has digits beyond cents: never rounded
        let inners = try #require(value.recordValue?["inners"]?.arrayValue)
        #expect(inners[0].recordValue?["amount"]?.decimalValue?.money == Money.zero)
        #expect(inners[1].recordValue?["amount"]?.decimalValue?.description == "99999999999.99999999")
        #expect(inners[2].recordValue?["amount"]?.decimalValue?.description == "-0.00000001")
        #expect(value.recordValue?["fixedDecimal"]?.decimalValue?.description == "-12345678901234567890123456.78")
    }

    @Test("decimal bytes: two's complement edge values")
    func twosComplement() throws {
        #expect(AvroDecimal(twosComplement: [0xFF], scale: 2)?.description == "-0.01")
        #expect(AvroDecimal(twosComplement: [0x80], scale: 0)?.description == "-128")
        #expect(AvroDecimal(twosComplement: [0x00, 0x80], scale: 0)?.description == "128")
        #expect(AvroDecimal(twosComplement: [], scale: 8)?.description == "0.00000000")
        #expect(AvroDecimal(twosComplement: [0x01, 0x00], scale: 8)?.money == nil)
        // 150000000000 (1500.00000000 at scale 8) = 0x22ECB25C00
        #expect(AvroDecimal(twosComplement: [0x22, 0xEC, 0xB2, 0x5C, 0x00], scale: 8)?.money == Money(exactly: "1500"))
        #expect(AvroDecimal(twosComplement: [UInt8](repeating: 1, count: 65), scale: 0) == nil)
    }
}
