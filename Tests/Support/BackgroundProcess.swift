import Foundation
import Glibc
import Synchronization

/// A program started in the background (`posix_spawn`), its standard output and error going to a
/// file, for tests of long-running processes: send it signals, read what it printed so far, wait
/// for it to exit. `with` stops it (SIGKILL) and reaps it however the test ends.
public final class BackgroundProcess: Sendable {
    /// The process id.
    public let pid: pid_t
    /// Where its standard output and standard error go.
    public let outputPath: String
    /// The exit status once reaped (never signal or reap a pid twice: it may be reused).
    private let exitStatus = Mutex<Int32?>(nil)

    private init(pid: pid_t, outputPath: String) {
        self.pid = pid
        self.outputPath = outputPath
    }

    /// Starts `program` with `arguments`; `environment` is added to the current environment.
    public static func start(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> BackgroundProcess {
        let outputPath = NSTemporaryDirectory() + "background-\(UInt64.random(in: 0...UInt64.max)).log"
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([program] + arguments).map { strdup($0) }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { a in
            (envp + [nil]).withUnsafeBufferPointer { e in
                posix_spawn(&pid, program, &actions, nil, UnsafeMutablePointer(mutating: a.baseAddress!),
                            UnsafeMutablePointer(mutating: e.baseAddress!))
            }
        }
        guard result == 0 else {
            throw TestEnvironmentError(message: "cannot start \(program): \(String(cString: strerror(result)))")
        }
        return BackgroundProcess(pid: pid, outputPath: outputPath)
    }

    /// Starts the program, runs `body` with it, then kills it if it still runs and reaps it
    /// (awaited), whether `body` returned or threw.
    public static func with<R>(_ program: String, _ arguments: [String], environment: [String: String] = [:],
                               _ body: (BackgroundProcess) async throws -> R) async throws -> R {
        let process = try start(program, arguments, environment: environment)
        do {
            let value = try await body(process)
            await process.stop()
            return value
        } catch {
            await process.stop()
            throw error
        }
    }

    /// What it has written so far (standard output and error interleaved).
    public var output: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Its JSON log lines so far, parsed (lines that are not JSON objects are left out).
    public var jsonLines: [[String: Any]] {
        output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Sends `signal` (SIGTERM, SIGKILL, ...).
    public func send(_ signal: Int32) {
        exitStatus.withLock { status in
            if status == nil { kill(pid, signal) }
        }
    }

    /// Waits until it exits and returns its status (128 + signal when a signal ended it); throws
    /// after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        var status: Int32?
        try await Waiting.until("process \(pid) exits", timeout: timeout) {
            status = reap()
            return status != nil
        }
        return status ?? -1
    }

    /// The exit status if it has exited (reaping it), nil while it runs.
    private func reap() -> Int32? {
        exitStatus.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            return status
        }
    }

    /// Kills it if it still runs and reaps it; removes its output file.
    public func stop() async {
        if reap() == nil {
            send(SIGKILL)
            _ = try? await waitForExit(timeout: .seconds(30))
        }
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}
