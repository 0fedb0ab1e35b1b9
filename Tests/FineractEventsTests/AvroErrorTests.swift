import AnalyticsCore
import FineractEvents
import Testing

/// Malformed input fails with a typed error, never a crash or an allocation from a hostile length.
@Suite("Avro decoding errors")
struct AvroErrorTests {
    static func schema(_ text: String) throws -> AvroParsedSchema {
        var parser = AvroSchemaParser()
        return try parser.parse(text)
    }

    static func transaction() throws -> (AvroSchemaRegistry, [UInt8]) {
        let testCase = try #require(try AvroFineractTests.cases().first { $0["name"]?.stringValue == "loan transaction" })
        return (try AvroFixtures.registry(), AvroFixtures.bytes(hex: testCase["hex"]?.stringValue ?? ""))
    }

    func decodeError(_ bytes: [UInt8], _ schema: AvroParsedSchema, decoder: AvroDecoder = AvroDecoder()) -> AvroDecodingError? {
        do {
            _ = try decoder.decode(bytes, as: schema)
            return nil
        } catch {
            return error
        }
    }

    @Test("every truncation of a real payload is a typed error, never a crash")
    func truncated() throws {
        let (registry, bytes) = try Self.transaction()
        for length in 0..<bytes.count {
            #expect(throws: AvroDecodingError.self) { try registry.decodeSingleObject(bytes.prefix(length)) }
        }
        let error = #expect(throws: AvroDecodingError.self) { try registry.decodeSingleObject(bytes.dropLast()) }
        #expect(error?.isTruncated == true)
    }

    @Test("trailing bytes after the value")
    func trailing() throws {
        let (registry, bytes) = try Self.transaction()
        let error = #expect(throws: AvroDecodingError.self) { try registry.decodeSingleObject(bytes + [0]) }
        #expect(error?.isTrailingBytes == true)
    }

    @Test("unknown fingerprint: the error carries it; a missing marker is not single-object")
    func unknownFingerprint() throws {
        let (registry, bytes) = try Self.transaction()
        var changed = bytes
        changed[5] ^= 0xFF
        let error = #expect(throws: AvroDecodingError.self) { try registry.decodeSingleObject(changed) }
        let expected = AvroFingerprint(littleEndianBytes: changed[2..<10])
        #expect(error?.unknownFingerprint == expected)
        #expect(error?.description.contains(expected.description) == true)
        let notAvro = #expect(throws: AvroDecodingError.self) { try registry.decodeSingleObject(Array(bytes.dropFirst())) }
        #expect(notAvro?.isNotSingleObject == true)
    }

    @Test("bad union index, bad enum index, bad boolean")
    func badIndexes() throws {
        let union = try Self.schema(#"["null","string"]"#)
        #expect(decodeError([0x04], union)?.isBadUnionIndex == true)   // index 2
        #expect(decodeError([0x01], union)?.isBadUnionIndex == true)   // index -1
        let enumeration = try Self.schema(#"{"type":"enum","name":"E","symbols":["A","B"]}"#)
        #expect(decodeError([0x04], enumeration) != nil)
        #expect(decodeError([0x02], try Self.schema(#""boolean""#)) != nil)
    }

    @Test("over-long varints: eleven bytes, or a tenth byte beyond 64 bits; an int beyond 32 bits")
    func overLongVarints() throws {
        let long = try Self.schema(#""long""#)
        #expect(decodeError([UInt8](repeating: 0xFF, count: 10) + [0x01], long)?.isVarintTooLong == true)
        #expect(decodeError([UInt8](repeating: 0xFF, count: 9) + [0x02], long)?.isVarintTooLong == true)
        #expect(try AvroDecoder().decode([UInt8](repeating: 0xFF, count: 9) + [0x01], as: long) == .long(Int64.min))
        #expect(decodeError([0x80, 0x80, 0x80, 0x80, 0x10], try Self.schema(#""int""#)) != nil)
    }

    @Test("absurd lengths and counts are refused before anything is allocated")
    func absurdLengths() throws {
        // bytes of length 2^62 with 1 byte left
        let bytes = try Self.schema(#""bytes""#)
        #expect(decodeError([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F, 0x00], bytes)?.isAbsurdLength == true)
        #expect(decodeError([0x01], bytes)?.isAbsurdLength == true)  // length -1
        // an array of a billion longs in 6 bytes
        let longs = try Self.schema(#"{"type":"array","items":"long"}"#)
        #expect(decodeError([0x80, 0xA8, 0xD6, 0xB9, 0x07, 0x00], longs)?.isAbsurdLength == true)
        // an array of nulls takes no bytes per item: the item cap applies
        let nulls = try Self.schema(#"{"type":"array","items":"null"}"#)
        #expect(decodeError([0x80, 0xA8, 0xD6, 0xB9, 0x07, 0x00], nulls)?.isAbsurdLength == true)
        #expect(try AvroDecoder().decode([0x06, 0x00], as: nulls) == .array([.null, .null, .null]))
        // a negative block count whose byte size disagrees with its items
        #expect(decodeError([0x03, 0x02, 0x02, 0x02, 0x00], longs) != nil)
        // a decimal longer than 64 bytes
        let decimal = try Self.schema(#"{"type":"bytes","logicalType":"decimal","precision":20,"scale":8}"#)
        #expect(decodeError([0x82, 0x01] + [UInt8](repeating: 1, count: 65), decimal)?.isAbsurdLength == true)
    }

    @Test("deep nesting is bounded")
    func depth() throws {
        let list = try Self.schema(#"{"type":"record","name":"N","fields":[{"name":"next","type":["null","N"]}]}"#)
        let deep = [UInt8](repeating: 0x02, count: 10_000) + [0x00]
        #expect(decodeError(deep, list) != nil)
        #expect(try AvroDecoder().decode([0x02, 0x00], as: list) != .null)
    }

    @Test("schema errors: unknown type, duplicate name, invalid JSON, bad union")
    func schemaErrors() throws {
        let unknown = #expect(throws: AvroSchemaError.self) { try Self.schema(#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#) }
        #expect(unknown?.unknownTypeName == "Missing")
        #expect(throws: AvroSchemaError.self) { try Self.schema(#"[{"type":"enum","name":"E","symbols":["A"]},{"type":"enum","name":"E","symbols":["B"]}]"#) }
        #expect(throws: AvroSchemaError.self) { try Self.schema(#"{"type":"record""#) }
        #expect(throws: AvroSchemaError.self) { try Self.schema(#"["int","int"]"#) }
        #expect(throws: AvroSchemaError.self) { try Self.schema(#"["null",["int"]]"#) }
        // An invalid decimal (scale above precision) is ignored: the underlying bytes remain.
        #expect(try Self.schema(#"{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}"#).root == .bytes)
    }
}
