import AnalyticsCore
import AnalyticsTestSupport
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

/// The fixture's expected files (`shared/fixtures/small/expected/<date>/...`), found by walking up
/// from this file to a folder that holds `shared/fixtures`, read with the exact `JSONReader` (numbers
/// keep their literal text).
enum Expected {
    static var fixtures: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return FixtureDatabase.fixturesDirectory
    }

    static func json(_ relative: String) throws -> JSONValue {
        try JSONReader().parse(Array(try Data(contentsOf: fixtures.appendingPathComponent(relative))))
    }

    /// `officer_metrics.json` of `date`.
    static func officers(_ date: String) throws -> [JSONObject] {
        try #require(try json("small/expected/\(date)/officer_metrics.json").arrayValue?.compactMap(\.objectValue))
    }

    /// `branch_metrics.json` of `date`.
    static func branches(_ date: String) throws -> [JSONObject] {
        try #require(try json("small/expected/\(date)/branch_metrics.json").arrayValue?.compactMap(\.objectValue))
    }

    /// `loans.json` of `date`, by loan id.
    static func loans(_ date: String) throws -> JSONObject {
        try #require(try json("small/expected/\(date)/loans.json").objectValue)
    }

    /// The input batch.
    static func input() throws -> JSONObject {
        try #require(try json("small/input.json").objectValue)
    }

    /// True when an API value equals an expected one: numbers compare as exact decimals whether the
    /// expected file writes them as numbers or strings (`"0.3569"`); a missing value is null.
    static func same(_ actual: JSONValue?, _ expected: JSONValue?) -> Bool {
        switch (actual ?? .null, expected ?? .null) {
        case (.number(let a), .number(let e)), (.number(let a), .string(let e)):
            return Decimal(string: a) == Decimal(string: e)
        case let (a, e):
            return a == e
        }
    }
}

/// Parsing of API responses with the exact reader.
enum Body {
    /// The whole body.
    static func value(_ response: TestResponse) throws -> JSONValue {
        try JSONReader().parse(Array(response.body.readableBytesView))
    }

    /// The body as an object.
    static func object(_ response: TestResponse) throws -> JSONObject {
        try #require(try value(response).objectValue)
    }

    /// `data` as an array of objects.
    static func rows(_ response: TestResponse) throws -> [JSONObject] {
        try #require(try object(response)["data"]?.arrayValue?.compactMap(\.objectValue))
    }

    /// `data` as an object.
    static func data(_ response: TestResponse) throws -> JSONObject {
        try #require(try object(response)["data"]?.objectValue)
    }

    /// `meta` as an object.
    static func meta(_ response: TestResponse) throws -> JSONObject {
        try #require(try object(response)["meta"]?.objectValue)
    }

    /// `error.code` of an error envelope.
    static func errorCode(_ response: TestResponse) throws -> String? {
        try object(response)["error"]?.objectValue?["code"]?.stringValue
    }
}
