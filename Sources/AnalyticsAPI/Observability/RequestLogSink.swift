import AnalyticsCore
import Logging

/// What one request's log line says.
struct RequestLogLine: Sendable {
    var requestID: String
    var method: String
    var path: String
    var route: String
    var status: Int
    var duration: Duration
    var subject: String?
    /// The internal error's debug description, for 500s and 503s only (never user input).
    var error: String?
}

/// Writes one swift-log event per finished request: message `request`, metadata `request_id`,
/// `method`, `path`, `route`, `status` (a number), `duration_ms` (a number, 3 decimals), `sub`
/// when authenticated, `error` for 500s and 503s. Successful requests log at `info`, 5xx at
/// `error`, so `LOG_LEVEL=warning` silences the former. The format (JSON lines or text) is the
/// process's `LogSettings` bootstrap: the sink builds no text of its own.
struct RequestLogSink: Sendable {
    let logger: Logger

    /// Logs a finished request.
    func request(_ line: RequestLogLine) {
        let level: Logger.Level = line.status >= 500 ? .error : .info
        // Skip building the metadata when the level drops the event anyway.
        guard level >= logger.logLevel else { return }
        let micros = line.duration.wholeMicroseconds
        var metadata: Logger.Metadata = [
            "request_id": .string(line.requestID), "method": .string(line.method), "path": .string(line.path),
            "route": .string(line.route), "status": .stringConvertible(line.status),
            "duration_ms": .stringConvertible(Double(micros) / 1000),
        ]
        if let subject = line.subject { metadata["sub"] = .string(subject) }
        if let error = line.error { metadata["error"] = .string(error) }
        logger.log(level: level, "request", metadata: metadata)
    }
}
