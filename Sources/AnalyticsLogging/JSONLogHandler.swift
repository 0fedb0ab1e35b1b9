import AnalyticsCore
import Logging

/// A swift-log `LogHandler` that writes each event as one JSON object on one line:
///
/// ```
/// {"timestamp":"2024-06-15T08:30:00.123456Z","level":"info","label":"analytics-api","message":"request","metadata":{"status":200}}
/// ```
///
/// `timestamp` is UTC with microseconds; `metadata` holds the handler's, the provider's and the
/// call's metadata (the call's win), keys sorted, always present (`{}` when empty). A metadata
/// value given as a Swift integer, floating-point number or `Bool` (`.stringConvertible`) is
/// written as a JSON number or boolean, everything else as a string, array or object. An event's
/// `error` is added as `"error"` (its `description`, which this codebase keeps free of customer
/// data and credentials).
///
/// A value type, as swift-log requires: changing the level or metadata of one `Logger` does not
/// change another's. Thread-safe: a line is built locally and handed to `LogOutput` whole.
public struct JSONLogHandler: LogHandler {
    /// The level below which `Logger` drops events before they reach the handler.
    public var logLevel: Logger.Level
    /// Metadata attached to every event of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata (task locals, say), read for each event.
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: LogOutput

    /// A handler for `label` writing to `output`, starting at `level`.
    public init(label: String, level: Logger.Level = .info, output: LogOutput,
                metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.output = output
        self.metadataProvider = metadataProvider
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes `event` as one line.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let given = event.metadata { merged.merge(given) { _, new in new } }
        if let error = event.error { merged["error"] = .string(String(describing: error)) }
        output.write(Array(Self.line(timestamp: LogTimestamp.now(), level: event.level, label: label,
                                     message: event.message.description, metadata: merged).utf8))
    }

    /// The JSON line (with its `\n`) of one event.
    static func line(timestamp: String, level: Logger.Level, label: String, message: String,
                     metadata: Logger.Metadata) -> String {
        var out = "{\"timestamp\":\""
        out.reserveCapacity(160 + message.utf8.count)
        out += timestamp
        out += "\",\"level\":\""
        out += level.rawValue
        out += "\",\"label\":"
        JSONValue.writeString(label, to: &out)
        out += ",\"message\":"
        JSONValue.writeString(message, to: &out)
        out += ",\"metadata\":"
        write(.dictionary(metadata), to: &out)
        out += "}\n"
        return out
    }

    private static func write(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let text):
            JSONValue.writeString(text, to: &out)
        case .stringConvertible(let convertible):
            switch convertible {
            case let flag as Bool: out += flag ? "true" : "false"
            case let integer as any BinaryInteger: out += integer.description
            case let number as Double where number.isFinite: out += number.description
            case let number as Float where number.isFinite: out += number.description
            default: JSONValue.writeString(convertible.description, to: &out)
            }
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                write(element, to: &out)
            }
            out += "]"
        case .dictionary(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                if let member = members[key] { write(member, to: &out) }
            }
            out += "}"
        }
    }
}
