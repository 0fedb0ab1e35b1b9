import AnalyticsCore
import Foundation

/// Progress of long work: a line on the terminal that updates in place (rows/s and ETA) when
/// standard error is a terminal, and nothing otherwise (phases are logged as JSON lines instead).
final class Progress {
    private let label: String
    private let total: Int?
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private let enabled: Bool

    /// `total` is the expected count, when known (enables the ETA).
    init(label: String, total: Int?) {
        self.label = label
        self.total = total
        self.enabled = isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` units so far; redraws at most five times a second.
    func update(_ done: Int, unit: String = "rows") {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(200) else { return }
        lastDraw = now
        let seconds = max(0.001, (now - start).seconds)
        let rate = Double(done) / seconds
        var line = "\r\(label): \(done) \(unit), \(Int(rate)) \(unit)/s"
        if let total, total > 0, rate > 0 {
            let left = Double(max(0, total - done)) / rate
            line += String(format: ", %.0f%%, ETA %.0fs", min(100, 100 * Double(done) / Double(total)), left)
        }
        FileHandle.standardError.write(Data((line + "   ").utf8))
    }

    /// Clears the progress line.
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
