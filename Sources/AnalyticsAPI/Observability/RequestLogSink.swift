import Foundation
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

/// Writes request log lines: one JSON object per line on standard output when `LOG_FORMAT=json`
/// (the default), else through swift-log. Lines are written at `info` (errors at `error`), so
/// `LOG_LEVEL=warning` silences successful requests.
struct RequestLogSink: Sendable {
    /// Log format: JSON lines or swift-log's text.
    enum Format: String, Sendable {
        case json
        case text
    }

    let format: Format
    let level: Logger.Level
    let logger: Logger
    /// Where JSON lines go (standard output unless a test captures them).
    var output: @Sendable ([UInt8]) -> Void = RequestLogSink.standardOutput

    /// Writes a line to standard output with one write(2), so lines of concurrent requests never interleave.
    static func standardOutput(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(STDOUT_FILENO, base + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Writes one line for a finished request.
    func request(_ line: RequestLogLine) {
        let lineLevel: Logger.Level = line.status >= 500 ? .error : .info
        guard lineLevel >= level else { return }
        let millis = Double(line.duration.components.attoseconds) / 1e15 + Double(line.duration.components.seconds) * 1000
        switch format {
        case .text:
            var metadata: Logger.Metadata = [
                "request_id": "\(line.requestID)", "method": "\(line.method)", "path": "\(line.path)",
                "route": "\(line.route)", "status": "\(line.status)", "duration_ms": "\(String(format: "%.3f", millis))",
            ]
            if let subject = line.subject { metadata["sub"] = "\(subject)" }
            if let error = line.error { metadata["error"] = "\(error)" }
            logger.log(level: lineLevel, "request", metadata: metadata)
        case .json:
            var writer = JSONWriter(capacity: 256)
            writer.raw("{\"ts\":")
            writer.string(Self.timestamp())
            writer.raw(",\"level\":")
            writer.string(lineLevel.rawValue)
            writer.raw(",\"msg\":\"request\",\"request_id\":")
            writer.string(line.requestID)
            writer.raw(",\"method\":")
            writer.string(line.method)
            writer.raw(",\"path\":")
            writer.string(line.path)
            writer.raw(",\"route\":")
            writer.string(line.route)
            writer.raw(",\"status\":\(line.status),\"duration_ms\":\(String(format: "%.3f", millis))")
            if let subject = line.subject {
                writer.raw(",\"sub\":")
                writer.string(subject)
            }
            if let error = line.error {
                writer.raw(",\"error\":")
                writer.string(error)
            }
            writer.raw("}\n")
            output(writer.bytes)
        }
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601)
    }
}
