import AnalyticsCore
import FineractEvents
import Foundation
import Testing

/// Avro's own Parsing Canonical Form and CRC-64-AVRO vectors: `share/test/data/schema-tests.txt` of
/// apache/avro, kept as data at `shared/avro/spec/schema-tests.txt` (see shared/avro/README.md).
@Suite("Avro specification vectors")
struct AvroSpecVectorTests {
    struct Vector {
        var input: String
        var canonical: String
        var fingerprint: Int64?
    }

    static func vectors() throws -> [Vector] {
        let url = try AvroFixtures.sharedDirectory().appendingPathComponent("spec/schema-tests.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        var vectors: [Vector] = []
        var input: String?
        var canonical: String?
        var multiline: [String]?
        func flush() {
            if let input, let canonical { vectors.append(Vector(input: input, canonical: canonical, fingerprint: nil)) }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var lines = multiline {
                if line == "INPUT" {
                    input = lines.joined(separator: "\n")
                    multiline = nil
                } else {
                    lines.append(line)
                    multiline = lines
                }
            } else if line.hasPrefix("<<INPUT") {
                flush()
                canonical = nil
                let rest = line.dropFirst("<<INPUT".count)
                if rest.isEmpty { multiline = [] } else { input = String(rest.dropFirst()) }
            } else if line.hasPrefix("<<canonical ") {
                canonical = String(line.dropFirst("<<canonical ".count))
            } else if line.hasPrefix("<<fingerprint ") {
                if let input, let canonical {
                    vectors.append(Vector(input: input, canonical: canonical, fingerprint: Int64(line.dropFirst("<<fingerprint ".count))))
                }
                // The vector is complete; the next flush must not add it again.
                input = nil
                canonical = nil
            }
        }
        flush()
        return vectors
    }

    @Test("every vector of schema-tests.txt: canonical form and fingerprint")
    func canonicalFormsAndFingerprints() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 34)  // one more INPUT line is commented out in the file
        #expect(vectors.filter { $0.fingerprint != nil }.count == 26)
        for vector in vectors {
            var parser = AvroSchemaParser()
            let schema = try parser.parse(vector.input)
            #expect(schema.canonicalForm == vector.canonical, "input \(vector.input)")
            if let fingerprint = vector.fingerprint {
                #expect(schema.fingerprint.signedValue == fingerprint, "input \(vector.input)")
            }
            // The canonical form is its own canonical form, with the same fingerprint.
            var again = AvroSchemaParser()
            let reparsed = try again.parse(vector.canonical)
            #expect(reparsed.canonicalForm == vector.canonical)
        }
    }

    @Test("the specification's single-object layout: C3 01, fingerprint little-endian, body")
    func singleObjectLayout() throws {
        var parser = AvroSchemaParser()
        let schema = try parser.parse("\"null\"")
        // schema-tests.txt: "null" has fingerprint 7195948357588979594 = 0x63DD24E7CC258F8A.
        #expect(schema.fingerprint.littleEndianBytes == [0x8A, 0x8F, 0x25, 0xCC, 0xE7, 0x24, 0xDD, 0x63])
        let object = AvroSingleObject(fingerprint: schema.fingerprint, body: [])
        #expect(object.encoded == [0xC3, 0x01, 0x8A, 0x8F, 0x25, 0xCC, 0xE7, 0x24, 0xDD, 0x63])
        #expect(try AvroSingleObject(object.encoded) == object)
    }
}
