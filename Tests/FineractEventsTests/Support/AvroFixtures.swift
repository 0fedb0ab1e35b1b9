import AnalyticsCore
import FineractEvents
import Foundation

/// The Avro test data: the generated fixtures (this target's resources, made by
/// scripts/avro/generate-fixtures.py) and the registry of the Fineract schema sets this build carries.
enum AvroFixtures {
    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    static func generated() throws -> JSONObject {
        guard let url = Bundle.module.url(forResource: "Fixtures/avro-fixtures", withExtension: "json") else {
            throw NotFound(description: "Fixtures/avro-fixtures.json is not in the test bundle")
        }
        guard let object = try JSONReader(maximumDepth: 512).parse([UInt8](Data(contentsOf: url))).objectValue else {
            throw NotFound(description: "avro-fixtures.json is not an object")
        }
        return object
    }

    static func registry() throws -> AvroSchemaRegistry {
        try AvroSchemaRegistry.fineract()
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { return [] }
            out.append(h << 4 | l)
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
