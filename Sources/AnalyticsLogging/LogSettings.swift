import Logging

/// How an executable logs, read from the environment by both `analytics-api` and `metrics-worker`.
///
/// Keys: `LOG_LEVEL` (`trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`, any
/// case; default `info`) and `LOG_FORMAT` (`json`: one JSON object per line, see
/// `JSONLogHandler`; `text`: swift-log's `StreamLogHandler` lines; default `json`). An empty value
/// counts as unset; anything else is an error naming the key and the allowed values.
public struct LogSettings: Sendable, Equatable {
    /// The line format.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per line (`JSONLogHandler`).
        case json
        /// swift-log's human-readable `StreamLogHandler` lines.
        case text
    }

    /// Events below this level are dropped.
    public var level: Logger.Level
    /// The line format.
    public var format: Format

    /// Settings given directly (tests).
    public init(level: Logger.Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }

    /// Reads `LOG_LEVEL` and `LOG_FORMAT`.
    public init(environment: [String: String]) throws(LogSettingsError) {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let levelText = value("LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw LogSettingsError(key: "LOG_LEVEL", value: levelText, allowed: Logger.Level.allCases.map(\.rawValue))
        }
        let formatText = value("LOG_FORMAT") ?? "json"
        guard let format = Format(rawValue: formatText.lowercased()) else {
            throw LogSettingsError(key: "LOG_FORMAT", value: formatText, allowed: Format.allCases.map(\.rawValue))
        }
        self.init(level: level, format: format)
    }

    /// A handler for `label` with these settings, writing to `stream`.
    public func handler(label: String, stream: Stream) -> any LogHandler {
        var handler: any LogHandler
        switch (format, stream) {
        case (.json, .standardOutput): handler = JSONLogHandler(label: label, level: level, output: .standardOutput)
        case (.json, .standardError): handler = JSONLogHandler(label: label, level: level, output: .standardError)
        case (.text, .standardOutput): handler = StreamLogHandler.standardOutput(label: label)
        case (.text, .standardError): handler = StreamLogHandler.standardError(label: label)
        }
        handler.logLevel = level
        return handler
    }

    /// Makes every `Logger` of the process use these settings, writing to `stream`. Call once, at
    /// the start of `main`, before any `Logger` is created (swift-log allows one bootstrap).
    public func bootstrap(stream: Stream) {
        LoggingSystem.bootstrap { label in handler(label: label, stream: stream) }
    }

    /// The standard stream log lines go to.
    public enum Stream: Sendable {
        /// Standard output (the API: its output is its log).
        case standardOutput
        /// Standard error (the worker: standard output carries each command's result line).
        case standardError
    }
}
