import Foundation
import AnalyticsCore

/// Locates and reads `shared/fixtures` at test time: `ANALYTICS_FIXTURES_DIR` when set, else the
/// first `shared/fixtures` found walking up from this file (the repo sits beside `shared/`).
enum Fixtures {
    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    static func directory() throws -> URL {
        if let env = ProcessInfo.processInfo.environment["ANALYTICS_FIXTURES_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/fixtures", isDirectory: true)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw NotFound(description: "shared/fixtures not found above \(#filePath); set ANALYTICS_FIXTURES_DIR")
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        let url = try directory().appendingPathComponent(relative)
        return [UInt8](try Data(contentsOf: url))
    }

    static func json(_ relative: String) throws -> JSONValue {
        try JSONReader().parse(bytes(relative))
    }

    /// The small dataset's as-of dates (the expected/ subdirectories).
    static func smallDates() throws -> [String] {
        let dir = try directory().appendingPathComponent("small/expected")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    /// The scenarios of scenarios.json, by name (empty when the file cannot be read; a separate
    /// test asserts it can).
    static let scenarios: [String: JSONValue] = {
        guard let root = try? json("scenarios.json"), let list = root.objectValue?["scenarios"]?.arrayValue else {
            return [:]
        }
        var byName: [String: JSONValue] = [:]
        for scenario in list {
            if let name = scenario.objectValue?["name"]?.stringValue { byName[name] = scenario }
        }
        return byName
    }()

    static var scenarioNames: [String] { scenarios.keys.sorted() }
}
