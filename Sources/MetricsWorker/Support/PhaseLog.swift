import Foundation

/// One JSON log line per job phase on standard error: machine-readable, one object per line.
struct PhaseLog: Sendable {
    let job: String

    /// Writes `{"ts": ..., "level": "info", "job": ..., "phase": ..., ...fields}`.
    func log(_ phase: String, _ fields: [String: any Sendable] = [:], level: String = "info") {
        var object: [String: Any] = ["ts": ISO8601DateFormatter().string(from: Date()), "level": level, "job": job, "phase": phase]
        for (key, value) in fields { object[key] = value }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
