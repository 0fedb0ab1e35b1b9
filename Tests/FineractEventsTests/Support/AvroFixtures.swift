import AnalyticsCore
import FineractEvents
import Foundation

/// The Avro test data: the generated fixtures (this target's resources, made by
/// scripts/avro/generate-fixtures.py) and the schema sets and specification vectors under
/// `shared/avro` (`ANALYTICS_AVRO_DIR` when set, else the first `shared/avro` above this file).
enum AvroFixtures {
    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    static func sharedDirectory() throws -> URL {
        if let env = ProcessInfo.processInfo.environment["ANALYTICS_AVRO_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/avro", isDirectory: true)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw NotFound(description: "shared/avro not found above \(#filePath); set ANALYTICS_AVRO_DIR")
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
        try AvroSchemaRegistry.loading(releasesIn: sharedDirectory().appendingPathComponent("fineract", isDirectory: true))
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
