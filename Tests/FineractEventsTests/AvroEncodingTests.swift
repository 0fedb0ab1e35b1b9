import AnalyticsCore
import FineractEvents
import Testing

/// The encoder against the bytes the Python `avro` package wrote (avro-fixtures.json): encoding a
/// decoded value gives Python's bytes exactly, and decoding the encoding gives the value back.
@Suite("Avro binary encoding")
struct AvroEncodingTests {
    static func schema(_ text: String) throws -> AvroParsedSchema {
        var parser = AvroSchemaParser()
        return try parser.parse(text)
    }

    func encodeError(_ value: AvroValue, _ schema: AvroParsedSchema) -> AvroEncodingError? {
        do {
            _ = try AvroEncoder().encode(value, as: schema)
            return nil
        } catch {
            return error
        }
    }

    @Test("binary cases: the decoded value encodes to the bytes Python writes for it, and decodes back")
    func binaryCases() throws {
        let cases = try AvroBinaryDecodingTests.cases()
        #expect(cases.count == 2)
        for testCase in cases {
            let name = testCase["name"]?.stringValue ?? "?"
            let schema = try AvroBinaryDecodingTests.parse(testCase["schema"])
            let value = try AvroDecoder().decode(AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? ""), as: schema)
            let python = AvroFixtures.bytes(hex: testCase["reencodedHex"]?.stringValue ?? "")
            #expect(!python.isEmpty, "\(name)")
            let encoded = try AvroEncoder().encode(value, as: schema)
            #expect(encoded == python, "\(name)")
            #expect(try AvroDecoder().decode(encoded, as: schema) == value, "\(name)")
        }
    }

    @Test("Fineract payloads of both releases: single-object encoding gives Python's bytes, nested data too")
    func singleObjectCases() throws {
        let registry = try AvroFixtures.registry()
        let cases = try AvroFineractTests.cases()
        #expect(cases.count == 12)
        var nested = 0
        for testCase in cases {
            let name = "\(testCase["release"]?.stringValue ?? "?") \(testCase["name"]?.stringValue ?? "?")"
            let python = AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? "")
            let (entry, value) = try registry.decodeSingleObject(python)
            #expect(try AvroEncoder().encodeSingleObject(value, as: entry.schema) == python, "\(name)")
            // The single-object payloads inside (MessageV1.data, BulkMessageItemV1.data).
            var inner: [[UInt8]] = []
            if let data = value.recordValue?["data"]?.bytesValue { inner.append(data) }
            for item in value.recordValue?["datas"]?.arrayValue ?? [] {
                if let data = item.recordValue?["data"]?.bytesValue { inner.append(data) }
            }
            for data in inner {
                let (innerEntry, innerValue) = try registry.decodeSingleObject(data)
                #expect(try AvroEncoder().encodeSingleObject(innerValue, as: innerEntry.schema) == data, "\(name) data")
                nested += 1
            }
        }
        // Per release: two messages' data, one bulk payload's three items.
        #expect(nested == 2 * (2 + 3))
    }

    @Test("a map keeps its wire order, so it is written back as it came; equality ignores the order")
    func mapOrder() throws {
        let testCase = try #require(try AvroBinaryDecodingTests.cases().first { $0["name"]?.stringValue == "all types" })
        let value = try AvroDecoder().decode(AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? ""),
                                             as: try AvroBinaryDecodingTests.parse(testCase["schema"]))
        let labels = try #require(value.recordValue?["labels"]?.mapValue)
        #expect(labels.keys == ["a", "ñ", "long key"])
        let reordered = AvroMap(labels.entries.reversed().map { ($0.key, $0.value) })
        #expect(reordered == labels)
        #expect(reordered.keys != labels.keys)
        var repeated: AvroMap = ["x": .int(1), "y": .int(2)]
        repeated["x"] = .int(3)
        #expect(repeated.keys == ["x", "y"] && repeated["x"] == .int(3))
        repeated["x"] = nil
        #expect(repeated.keys == ["y"] && repeated.count == 1)
    }

    @Test("decimals: written at the schema's scale in Java's fewest two's-complement bytes")
    func decimals() throws {
        let schema = try Self.schema(#"{"type":"bytes","logicalType":"decimal","precision":20,"scale":8}"#)
        func encoded(_ text: String, scale: Int) throws -> [UInt8] {
            try AvroEncoder().encode(.decimal(try #require(AvroDecimal(text, scale: scale))), as: schema)
        }
        // 1500.00 at scale 2 is 150000000000 at scale 8 (0x22ECB25C00): rescaled, not reinterpreted.
        #expect(try encoded("1500.00", scale: 2) == [0x0A, 0x22, 0xEC, 0xB2, 0x5C, 0x00])
        #expect(try encoded("1500", scale: 8) == [0x0A, 0x22, 0xEC, 0xB2, 0x5C, 0x00])
        #expect(try encoded("0", scale: 8) == [0x02, 0x00])
        #expect(try encoded("-0.00000001", scale: 8) == [0x02, 0xFF])
        // Java's BigInteger.toByteArray(): -128 in one byte, 128 and -129 in two.
        #expect(try encoded("-0.00000128", scale: 8) == [0x02, 0x80])
        #expect(try encoded("0.00000128", scale: 8) == [0x04, 0x00, 0x80])
        #expect(try encoded("-0.00000129", scale: 8) == [0x04, 0xFF, 0x7F])
        #expect(try encoded("-0.00000256", scale: 8) == [0x04, 0xFF, 0x00])
        #expect(try encoded("0.00000255", scale: 8) == [0x04, 0x00, 0xFF])
        // Every value decodes back to itself (at the schema's scale).
        for text in ["0", "1", "-1", "127", "-128", "128", "-129", "32767", "-32768", "-32769", "99999999999.99999999",
                     "-99999999999.99999999", "1234.5", "-0.5"] {
            let decimal = try #require(AvroDecimal(text, scale: 8))
            let decoded = try AvroDecoder().decode(try AvroEncoder().encode(.decimal(decimal), as: schema), as: schema)
            #expect(decoded.decimalValue?.literal == decimal.literal, "\(text)")
            #expect(decoded.decimalValue?.scale == 8)
        }
        // From Money.
        #expect(AvroDecimal(Money(minorUnits: -123456), scale: 8)?.description == "-1234.56000000")
    }

    @Test("a decimal that needs more decimals or digits than the schema allows is refused, never rounded")
    func decimalOutOfRange() throws {
        let schema = try Self.schema(#"{"type":"record","name":"T","fields":[{"name":"amount","type":["null",{"type":"bytes","logicalType":"decimal","precision":20,"scale":8}]}]}"#)
        func record(_ text: String, scale: Int) throws -> AvroValue {
            .record(AvroRecord(name: "T", fields: [.init(name: "amount", value: .decimal(try #require(AvroDecimal(text, scale: scale))))]))
        }
        let tooFine = try #require(encodeError(try record("0.000000001", scale: 9), schema))
        #expect(tooFine.isDecimalOutOfRange)
        #expect(tooFine.path == "$.amount")
        #expect(!tooFine.description.contains("0.000000001"))
        // 13 digits before the point and 8 after: 21 > precision 20.
        let tooLarge = try #require(encodeError(try record("1234567890123", scale: 0), schema))
        #expect(tooLarge.isDecimalOutOfRange)
        #expect(encodeError(try record("123456789012", scale: 0), schema) == nil)
        // A trailing zero beyond the scale is no digit lost.
        #expect(encodeError(try record("1.000000000", scale: 9), schema) == nil)
        // Over a fixed: sign-extended to its size (2 bytes hold precision 4 at most).
        let fixed = try Self.schema(#"{"type":"fixed","name":"F","size":2,"logicalType":"decimal","precision":4,"scale":0}"#)
        #expect(try AvroEncoder().encode(.decimal(try #require(AvroDecimal("-1", scale: 0))), as: fixed) == [0xFF, 0xFF])
        #expect(try AvroEncoder().encode(.decimal(try #require(AvroDecimal("255", scale: 0))), as: fixed) == [0x00, 0xFF])
        #expect(try AvroEncoder().encode(.decimal(try #require(AvroDecimal("-9999", scale: 0))), as: fixed) == [0xD8, 0xF1])
        #expect(encodeError(.decimal(try #require(AvroDecimal("10000", scale: 0))), fixed)?.isDecimalOutOfRange == true)
    }

    @Test("a value that does not match: typed error with the field path, never the value's content")
    func mismatches() throws {
        let registry = try AvroFixtures.registry()
        let testCase = try #require(try AvroFineractTests.cases().first { $0["name"]?.stringValue == "loan transaction" })
        let (entry, value) = try registry.decodeSingleObject(AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? ""))
        var transaction = try #require(value.recordValue)
        var relation = try #require(transaction["transactionRelations"]?.arrayValue?.first?.recordValue)

        // A field left out, deep inside.
        relation.fields.removeAll { $0.name == "amount" }
        var changed = transaction
        changed.set("transactionRelations", .array([.record(relation)]))
        let missing = try #require(encodeError(.record(changed), entry.schema))
        #expect(missing.isMissingField)
        #expect(missing.path == "$.transactionRelations[0].amount")

        // A value of the wrong type (a customer's name where an id goes): the name is not repeated.
        changed = transaction
        changed.set("loanId", .string("Adaeze Okafor"))
        let wrongType = try #require(encodeError(.record(changed), entry.schema))
        #expect(wrongType.path == "$.loanId")
        #expect(!wrongType.description.contains("Adaeze"))
        #expect(wrongType.description.contains("a string"))

        // An int where the union has long only: no promotion.
        changed = transaction
        changed.set("id", .int(9001))
        #expect(encodeError(.record(changed), entry.schema)?.path == "$.id")

        // A field the schema does not have; a record of another name.
        changed = transaction
        changed.fields.append(.init(name: "nickname", value: .null))
        #expect(encodeError(.record(changed), entry.schema)?.description.contains("'nickname'") == true)
        transaction.name = "org.apache.fineract.avro.loan.v1.Other"
        #expect(encodeError(.record(transaction), entry.schema)?.path == "$")

        let enumeration = try Self.schema(#"{"type":"enum","name":"Color","symbols":["RED","GREEN"]}"#)
        #expect(try AvroEncoder().encode(.enumeration("GREEN"), as: enumeration) == [0x02])
        #expect(encodeError(.enumeration("PURPLE"), enumeration) != nil)
        let fixed = try Self.schema(#"{"type":"fixed","name":"MD5","size":4}"#)
        #expect(encodeError(.fixed([1, 2, 3]), fixed) != nil)
        let map = try Self.schema(#"{"type":"map","values":"long"}"#)
        #expect(encodeError(.map(["k": .string("v")]), map)?.path == "${}")
    }

    @Test("unions: the first branch that takes the value, named types by name, symbols or size")
    func unions() throws {
        let schema = try Self.schema(#"""
        {"type":"record","name":"U","fields":[
          {"name":"a","type":["null","long","string"]},
          {"name":"b","type":["null",{"type":"enum","name":"E1","symbols":["X"]},{"type":"enum","name":"E2","symbols":["Y"]}]},
          {"name":"c","type":[{"type":"fixed","name":"F2","size":2},{"type":"fixed","name":"F3","size":3}]},
          {"name":"d","type":["null",{"type":"record","name":"R1","fields":[]},{"type":"record","name":"R2","fields":[]}]}
        ]}
        """#)
        func value(_ a: AvroValue, _ b: AvroValue, _ c: AvroValue, _ d: AvroValue) -> AvroValue {
            .record(AvroRecord(name: "U", fields: [.init(name: "a", value: a), .init(name: "b", value: b),
                                                   .init(name: "c", value: c), .init(name: "d", value: d)]))
        }
        let bytes = try AvroEncoder().encode(value(.string("s"), .enumeration("Y"), .fixed([7, 7, 7]),
                                                   .record(AvroRecord(name: "R2", fields: []))), as: schema)
        #expect(bytes == [0x04, 0x02, UInt8(ascii: "s"), 0x04, 0x00, 0x02, 7, 7, 7, 0x04])
        let bad = try #require(encodeError(value(.boolean(true), .null, .fixed([1, 2]), .null), schema))
        #expect(bad.path == "$.a")
        #expect(bad.description.contains("null, long, string"))
    }
}

extension AvroRecord {
    /// Replaces the value of field `name` (test helper).
    mutating func set(_ name: String, _ value: AvroValue) {
        if let index = fields.firstIndex(where: { $0.name == name }) { fields[index].value = value }
    }
}
