import AnalyticsCore
import AnalyticsTestSupport
import FineractEvents
import Foundation
import Testing

/// Avro's own schema fingerprint vectors: `FINGERPRINT_EXAMPLES` of the test suite that the Python
/// `avro` package ships (`avro.test.test_schema`), read at test time through
/// scripts/avro/spec-vectors.py with the Python of scripts/avro/python.sh (`AVRO_PYTHON`, which
/// `scripts/test.sh` sets). Nothing of them is copied into the repository.
@Suite("Avro specification vectors")
struct AvroSpecVectorTests {
    struct Vector {
        var schema: String
        /// The CRC-64-AVRO fingerprint as its 8 little-endian bytes, in hex.
        var crc64: String
        /// The Parsing Canonical Form the `avro` package gives the schema.
        var canonical: String
    }

    static func vectors() async throws -> [Vector] {
        let python = try #require(ProcessInfo.processInfo.environment["AVRO_PYTHON"], "AVRO_PYTHON is not set: run the tests with scripts/test.sh (or set it to the output of scripts/avro/python.sh)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/avro/spec-vectors.py").standardized.path
        let result = try await ProcessRunner.run(python, [script])
        try #require(result.status == 0, "spec-vectors.py failed: \(result.output)")
        let document = try #require(try JSONReader(maximumDepth: 64).parse(Array(result.output.utf8)).objectValue)
        return (document["vectors"]?.arrayValue ?? []).compactMap { item in
            guard let object = item.objectValue, let schema = object["schema"]?.stringValue,
                  let crc64 = object["crc64"]?.stringValue, let canonical = object["canonical"]?.stringValue else { return nil }
            return Vector(schema: schema, crc64: crc64, canonical: canonical)
        }
    }

    @Test("every fingerprint vector of Avro's test suite: canonical form and CRC-64-AVRO")
    func canonicalFormsAndFingerprints() async throws {
        let vectors = try await Self.vectors()
        // avro 1.12.2 ships 33 (scripts/avro/requirements.txt pins it).
        #expect(vectors.count == 33)
        var redefining: [Vector] = []
        for vector in vectors {
            var parser = AvroSchemaParser()
            let schema = try parser.parse(vector.schema)
            var again = AvroSchemaParser()
            guard let reparsed = try? again.parse(vector.canonical) else {
                // Python's canonical form writes a named type in full at every use, which makes an
                // invalid schema; the specification (and Java, which Fineract uses) writes it once
                // and its fullname after. Checked below.
                redefining.append(vector)
                continue
            }
            #expect(schema.canonicalForm == vector.canonical, "schema \(vector.schema)")
            let hex = schema.fingerprint.littleEndianBytes.map { String(format: "%02x", $0) }.joined()
            #expect(hex == vector.crc64, "schema \(vector.schema)")
            // The canonical form is its own canonical form, with the same fingerprint.
            #expect(reparsed.canonicalForm == vector.canonical)
            #expect(reparsed.fingerprint == schema.fingerprint)
        }
        // One vector, HandshakeRequest, uses the fixed MD5 twice: ours names it the second time.
        #expect(redefining.count == 1)
        for vector in redefining {
            var parser = AvroSchemaParser()
            let ours = try parser.parse(vector.schema).canonicalForm
            let md5 = #"{"name":"org.apache.avro.ipc.MD5","type":"fixed","size":16}"#
            #expect(ours.components(separatedBy: md5).count == 2, "defined once: \(ours)")
            let expanded = ours.replacingOccurrences(of: #""type":"org.apache.avro.ipc.MD5""#, with: #""type":"# + md5)
            #expect(expanded == vector.canonical)
        }
    }

    @Test("the specification's single-object layout: C3 01, fingerprint little-endian, body")
    func singleObjectLayout() throws {
        var parser = AvroSchemaParser()
        let schema = try parser.parse("\"null\"")
        // Avro's vectors: "null" has the CRC-64-AVRO 0x63DD24E7CC258F8A (bytes 8a8f25cce724dd63).
        #expect(schema.fingerprint.littleEndianBytes == [0x8A, 0x8F, 0x25, 0xCC, 0xE7, 0x24, 0xDD, 0x63])
        let object = AvroSingleObject(fingerprint: schema.fingerprint, body: [])
        #expect(object.encoded == [0xC3, 0x01, 0x8A, 0x8F, 0x25, 0xCC, 0xE7, 0x24, 0xDD, 0x63])
        #expect(try AvroSingleObject(object.encoded) == object)
    }
}
