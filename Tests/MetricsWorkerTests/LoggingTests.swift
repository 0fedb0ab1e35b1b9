import AnalyticsCore
@testable import AnalyticsLogging
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import Synchronization
import Testing

/// The one logging path of both executables: `JSONLogHandler`, `LogSettings`, and the worker's
/// use of them.
@Suite("Logging")
struct LoggingTests {
    /// The lines a handler wrote.
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])
        var output: LogOutput { LogOutput { bytes in self.lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } } }
    }

    static func logger(_ captured: Captured, level: Logger.Level = .trace) -> Logger {
        Logger(label: "test.label") { JSONLogHandler(label: $0, level: level, output: captured.output) }
    }

    @Test("each event is one line holding one JSON object: timestamp, level, label, message, metadata")
    func oneJSONObjectPerLine() throws {
        let captured = Captured()
        var logger = Self.logger(captured)
        logger[metadataKey: "job"] = "refresh_loans"
        logger.info("phase \"one\"\nsecond line\tand é ✓ \u{1}", metadata: [
            "count": .stringConvertible(42), "seconds": .stringConvertible(1.5), "ok": .stringConvertible(true),
            "name": "Branch 040 & co", "list": ["a", .stringConvertible(2)], "nested": ["k": "v"],
            "job": "overridden",
        ])
        logger.error("second")
        Self.logger(captured).notice("bare")
        let lines = captured.lines.withLock { $0 }
        #expect(lines.count == 3)
        for line in lines {
            #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1, "\(line)")
        }
        let object = try #require(try JSONReader().parse(lines[0]).objectValue)
        #expect(Set(object.keys) == ["timestamp", "level", "label", "message", "metadata"])
        #expect(object["level"] == .string("info"))
        #expect(object["label"] == .string("test.label"))
        #expect(object["message"] == .string("phase \"one\"\nsecond line\tand é ✓ \u{1}"))
        let metadata = try #require(object["metadata"]?.objectValue)
        #expect(metadata["count"] == .number("42"))
        #expect(metadata["seconds"] == .number("1.5"))
        #expect(metadata["ok"] == .bool(true))
        #expect(metadata["name"] == .string("Branch 040 & co"))
        #expect(metadata["list"] == .array([.string("a"), .number("2")]))
        #expect(metadata["nested"]?.objectValue?["k"] == .string("v"))
        #expect(metadata["job"] == .string("overridden"), "the call's metadata wins over the logger's")
        let timestamp = try #require(object["timestamp"]?.stringValue)
        #expect(timestamp.utf8.count == 27 && timestamp.hasSuffix("Z") && CalendarDate(iso: timestamp.prefix(10)) != nil, "\(timestamp)")
        let second = try #require(try JSONReader().parse(lines[1]).objectValue)
        #expect(second["level"] == .string("error"))
        #expect(second["metadata"]?.objectValue?["job"] == .string("refresh_loans"), "the logger's metadata")
        let bare = try #require(try JSONReader().parse(lines[2]).objectValue)
        #expect(bare["level"] == .string("notice") && bare["metadata"] == .object(JSONObject()), "metadata is always there")
    }

    @Test("the timestamp is UTC ISO 8601 with microseconds, formatted by hand")
    func timestampFormat() {
        #expect(LogTimestamp.format(seconds: 1_718_440_200, nanoseconds: 123_456_789) == "2024-06-15T08:30:00.123456Z")
        #expect(LogTimestamp.format(seconds: 0, nanoseconds: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(LogTimestamp.format(seconds: 951_825_599, nanoseconds: 999_999_999) == "2000-02-29T11:59:59.999999Z")
    }

    @Test("events below the handler's level are dropped")
    func levelFilters() {
        let captured = Captured()
        let logger = Self.logger(captured, level: .warning)
        logger.info("dropped")
        logger.warning("kept")
        #expect(captured.lines.withLock { $0.count } == 1)
    }

    @Test("LOG_LEVEL and LOG_FORMAT: defaults, any case, and a bad value names the key and the allowed values")
    func settings() throws {
        #expect(try LogSettings(environment: [:]) == LogSettings(level: .info, format: .json))
        #expect(try LogSettings(environment: ["LOG_LEVEL": "", "LOG_FORMAT": ""]) == LogSettings())
        #expect(try LogSettings(environment: ["LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"]) == LogSettings(level: .warning, format: .text))
        do {
            _ = try LogSettings(environment: ["LOG_LEVEL": "loud"])
            Issue.record("LOG_LEVEL=loud accepted")
        } catch {
            #expect(error.key == "LOG_LEVEL")
            #expect(error.description == "LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got 'loud'")
        }
        #expect(throws: LogSettingsError.self) { try LogSettings(environment: ["LOG_FORMAT": "xml"]) }
    }

    @Test("the worker's configuration rejects a bad LOG_LEVEL (it used to fall back to info)")
    func workerConfigurationRejectsBadLevel() throws {
        let base = ["DATABASE_URL": "postgres://u@127.0.0.1/d"]
        #expect(try WorkerConfiguration(environment: base).log == LogSettings())
        do {
            _ = try WorkerConfiguration(environment: base.merging(["LOG_LEVEL": "verbose"]) { $1 })
            Issue.record("LOG_LEVEL=verbose accepted")
        } catch {
            #expect(error.key == "LOG_LEVEL")
            #expect(error.description.contains("trace, debug, info, notice, warning, error, critical"))
        }
        #expect(throws: ConfigurationError.self) {
            try WorkerConfiguration(environment: base.merging(["ANALYTICS_TIMEZONE": "Mars/Olympus"]) { $1 })
        }
    }

    @Test("metrics-worker with a bad LOG_LEVEL stops before doing anything: one line naming the key, exit 64")
    func workerBinaryRejectsBadLevel() async throws {
        let run = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), ["dev-token"],
                                              environment: ["LOG_LEVEL": "loud", "JWT_SECRET": String(repeating: "s", count: 32)])
        #expect(run.status == 64, "\(run.output)")
        #expect(run.output == "metrics-worker: configuration error: LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got 'loud'\n")
    }

    @Test("the worker's phase lines are the JSON handler's lines on standard error; the result line stays plain")
    func workerPhaseLinesAreJSON() async throws {
        let db = try await TestDatabase.create()
        let result: ProcessRunner.Result
        do {
            let path = try ServerScript.makeDirectory("logging") + "/officer.ndjson"
            try #"{"officer_id":"O1","officer_name":"Ada","region":"R","branch":"B"}"#.write(toFile: path, atomically: true, encoding: .utf8)
            result = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), ["ingest", path],
                                                 environment: ["DATABASE_URL": db.configuration.url, "LOG_LEVEL": "info"])
        } catch {
            await db.drop()
            throw error
        }
        await db.drop()
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        let json = try lines.filter { $0.hasPrefix("{") }.map { try #require(try JSONReader().parse(String($0)).objectValue) }
        let input = try #require(json.first { $0["message"] == .string("input") }, "\(result.output)")
        #expect(input["label"] == .string("metrics-worker") && input["level"] == .string("info"))
        #expect(input["metadata"]?.objectValue?["job"] == .string("ingest"))
        #expect(input["metadata"]?.objectValue?["records"] == .number("1"))
        #expect(lines.contains { $0.hasPrefix("ingest") && $0.contains("accepted 1") }, "\(result.output)")
        #expect(lines.allSatisfy { $0.hasPrefix("{") || !$0.contains("{") }, "no other hand-built JSON: \(result.output)")
    }
}
