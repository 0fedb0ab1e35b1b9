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

    @Test("decimal bytes: every 64-bit value and scale gives the digits of its integer, as Java's BigInteger writes it")
    func machineIntegerPath() throws {
        var generator = SystemRandomNumberGenerator()
        let edges: [Int64] = [0, 1, -1, 9, 10, -10, 127, 128, -128, -129, 255, 256, Int64(Int32.max), Int64(Int32.min),
                              Int64.max, Int64.min, Int64.max - 1, Int64.min + 1, 150_000_000_000, -99_999_999_999_999_999]
        for value in edges + (0..<2_000).map({ _ in Int64.random(in: .min ... .max, using: &generator) >> Int64.random(in: 0...62) }) {
            // Minimal two's complement, big-endian (BigInteger.toByteArray): drop redundant sign bytes.
            var bytes = withUnsafeBytes(of: value.bigEndian) { Array($0) }
            while bytes.count > 1, (bytes[0] == 0 && bytes[1] & 0x80 == 0) || (bytes[0] == 0xFF && bytes[1] & 0x80 != 0) {
                bytes.removeFirst()
            }
            let scale = Int.random(in: 0...12)
            let magnitude = String(value.magnitude)
            let padded = String(repeating: "0", count: max(scale - magnitude.count + 1, 0)) + magnitude
            let whole = padded.dropLast(scale), fraction = padded.suffix(scale)
            let expected = (value < 0 ? "-" : "") + whole + (scale > 0 ? "." + fraction : "")
            let decimal = try #require(AvroDecimal(twosComplement: bytes, scale: scale))
            #expect(decimal.description == expected, "\(bytes)")
            #expect(decimal.literal == DecimalLiteral(expected), "\(bytes)")
            #expect(decimal.isNegative == (value < 0))
            // Sign-extended with a redundant byte (a writer that does not trim): the same value.
            let extended = [value < 0 ? UInt8(0xFF) : 0] + bytes
            #expect(AvroDecimal(twosComplement: extended, scale: scale)?.description == expected)
        }
        // Nine bytes and more take the long division: 2^64 and -(2^64 + 1).
        #expect(AvroDecimal(twosComplement: [0x01, 0, 0, 0, 0, 0, 0, 0, 0], scale: 2)?.description == "184467440737095516.16")
        #expect(AvroDecimal(twosComplement: [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], scale: 0)?.description
                == "-18446744073709551617")
    }
}
