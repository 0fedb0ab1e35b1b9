import Logging

/// A job's phase events (`start`, `loans_read`, `completed`, ...) through swift-log: one event per
/// phase, labelled `metrics-worker`, the phase as the message and `job` plus the phase's fields
/// as metadata. With the JSON handler the worker bootstraps (`LogSettings`), each is one JSON line
/// on standard error.
struct PhaseLog: Sendable {
    let job: String
    private let logger: Logger

    /// A log for `job`'s phases.
    init(job: String) {
        self.job = job
        var logger = Logger(label: "metrics-worker")
        logger[metadataKey: "job"] = .string(job)
        self.logger = logger
    }

    /// Logs `phase` with `fields` at `level` (a swift-log level name; `info` unless told).
    /// Integers, floating-point numbers and booleans stay numbers and booleans in the JSON line.
    func log(_ phase: String, _ fields: [String: any Sendable] = [:], level: String = "info") {
        var metadata: Logger.Metadata = [:]
        for (key, value) in fields {
            switch value {
            case let text as String: metadata[key] = .string(text)
            case let convertible as any CustomStringConvertible & Sendable: metadata[key] = .stringConvertible(convertible)
            default: metadata[key] = .string(String(describing: value))
            }
        }
        logger.log(level: Logger.Level(rawValue: level) ?? .info, "\(phase)", metadata: metadata)
    }
}
