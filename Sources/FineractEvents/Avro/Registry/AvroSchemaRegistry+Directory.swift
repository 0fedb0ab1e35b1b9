// Hand-written (see Avro/Schema/AvroSchema.swift).
import Foundation

extension AvroSchemaRegistry {
    /// Why a folder of schema sets could not be loaded.
    public struct LoadError: Error, CustomStringConvertible {
        /// What is wrong and what to do.
        public let description: String
    }

    /// Loads every schema set under `directory`: each subfolder is one release (its name is the
    /// release), holding `.avsc` files at any depth that may refer to each other's named types.
    /// - Returns: the registry, with every schema of every set registered under its release.
    public static func loading(releasesIn directory: URL, decoder: AvroDecoder = AvroDecoder()) throws -> AvroSchemaRegistry {
        let fileManager = FileManager.default
        let releases = try fileManager.contentsOfDirectory(atPath: directory.path)
            .filter { name in
                var isDirectory: ObjCBool = false
                return !name.hasPrefix(".")
                    && fileManager.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                    && isDirectory.boolValue
            }
            .sorted()
        guard !releases.isEmpty else {
            throw LoadError(description: "no schema sets (release folders) in \(directory.path): install the .avsc sets")
        }
        var registry = AvroSchemaRegistry(decoder: decoder)
        for release in releases {
            for schema in try loadSet(directory.appendingPathComponent(release, isDirectory: true)) {
                registry.register(schema, release: release)
            }
        }
        return registry
    }

    /// Parses every `.avsc` file under `directory` (at any depth) as one set.
    public static func loadSet(_ directory: URL) throws -> [AvroParsedSchema] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            throw LoadError(description: "cannot read schema folder \(directory.path)")
        }
        var paths: [URL] = []
        for case let url as URL in enumerator where url.pathExtension == "avsc" {
            paths.append(url)
        }
        paths.sort { $0.path < $1.path }
        let documents = try paths.map { [UInt8](try Data(contentsOf: $0)) }
        do throws(AvroSchemaError) {
            return try AvroSchemaParser.parseSet(documents)
        } catch {
            throw LoadError(description: "schema set \(directory.lastPathComponent): \(error.description)")
        }
    }
}
