import Foundation

/// Runs a program to completion on a thread of its own (never on a dispatch or cooperative thread,
/// which the Swift runtime on Linux shares with the task executor) and returns its exit status and
/// combined output.
public enum ProcessRunner {
    /// The outcome of one run.
    public struct Result: Sendable {
        /// The exit status (128 + signal when killed by a signal).
        public var status: Int32
        /// Standard output and standard error, interleaved.
        public var output: String
    }

    /// Runs `program` with `arguments`; `environment` is added to the current environment.
    public static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let assignments = environment.map { "\($0.key)=\(quote($0.value))" }.joined(separator: " ")
        let command = "env \(assignments) \(([program] + arguments).map(quote).joined(separator: " ")) 2>&1"
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                guard let pipe = popen(command, "r") else {
                    continuation.resume(throwing: TestEnvironmentError(message: "cannot start \(program)"))
                    return
                }
                var output: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = fread(&buffer, 1, buffer.count, pipe)
                    if count <= 0 { break }
                    output.append(contentsOf: buffer[0..<count])
                }
                let raw = pclose(pipe)
                // pclose returns a wait status: exit code in the high byte, signal in the low bits.
                let status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                continuation.resume(returning: Result(status: status, output: String(decoding: output, as: UTF8.self)))
            }
            thread.start()
        }
    }
}
