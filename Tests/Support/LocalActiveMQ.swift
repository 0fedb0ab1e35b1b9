import Foundation
import Glibc

/// An ActiveMQ broker of a test's own (STOMP only, on 127.0.0.1, persistent store in its folder),
/// for tests that restart, kill or freeze it. The shared broker of the test run is at
/// `TestEnvironment.activeMQStompURL()`.
public final class LocalActiveMQ: Sendable {
    /// Its folder (config, store, logs, pid file).
    public let directory: String
    /// Its STOMP port on 127.0.0.1.
    public let port: Int
    /// Its STOMP URL.
    public var url: String { "stomp://127.0.0.1:\(port)" }

    private init(directory: String, port: Int) {
        self.directory = directory
        self.port = port
    }

    /// Starts a new broker (a JVM: a few seconds).
    public static func start() async throws -> LocalActiveMQ {
        let directory = try ServerScript.makeDirectory("activemq")
        let port = Int(try await ServerScript.run(["free-port"])) ?? 0
        let server = LocalActiveMQ(directory: directory, port: port)
        try await ServerScript.run(["activemq-start", directory, String(port)])
        return server
    }

    /// Starts a new broker, runs `body` with it and stops it (awaited) whether `body` returned or threw.
    public static func with<R>(_ body: (LocalActiveMQ) async throws -> R) async throws -> R {
        let server = try await start()
        return try await stopping(server, after: body) { server in
            server.resume()
            try await server.stop()
        }
    }

    /// Stops it (SIGTERM) and starts it again on the same port with the same store.
    public func restart() async throws { try await ServerScript.run(["activemq-restart", directory]) }
    /// Stops it (SIGTERM, waits for the exit).
    public func stop() async throws { try await ServerScript.run(["activemq-stop", directory]) }
    /// Kills it (SIGKILL): a crash; the store stays.
    public func kill() async throws { try await ServerScript.run(["activemq-kill", directory]) }
    /// Starts it again on the same port after `stop()` or `kill()`.
    public func startAgain() async throws { try await ServerScript.run(["activemq-start", directory, String(port)]) }

    /// Freezes the broker (SIGSTOP): its connections stay open and it sends nothing, heart-beats
    /// included, as a host that stopped answering. `resume()` undoes it.
    public func pause() throws {
        guard Glibc.kill(try pid(), SIGSTOP) == 0 else { throw TestEnvironmentError(message: "cannot SIGSTOP the broker") }
    }

    /// Lets a paused broker run again (SIGCONT); harmless when it is not paused or not running.
    public func resume() {
        if let pid = try? pid() { _ = Glibc.kill(pid, SIGCONT) }
    }

    private func pid() throws -> pid_t {
        let text = try String(contentsOfFile: directory + "/activemq.pid", encoding: .utf8)
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestEnvironmentError(message: "no pid in \(directory)/activemq.pid")
        }
        return pid
    }
}
