import Foundation

/// Runs `scripts/servers.sh` (the same script the test runner and the dev command use) off the
/// cooperative thread pool.
public enum ServerScript {
    /// Runs the script with `arguments` and returns its output; throws on a non-zero exit.
    /// `environment` is added to the script's (e.g. `PG_FSYNC=off` for `pg-start`).
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let script = try TestEnvironment.value("TEST_SERVERS_SCRIPT")
        let result = try await ProcessRunner.run("/bin/bash", [script] + arguments, environment: environment)
        guard result.status == 0 else {
            throw TestEnvironmentError(message: "servers.sh \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.output)")
        }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A folder for one test's own server, under the test run's work folder.
    public static func makeDirectory(_ prefix: String) throws -> String {
        let base = try TestEnvironment.value("TEST_WORK_DIR")
        let path = "\(base)/\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A PostgreSQL server of a test's own, for tests that restart or kill it.
public final class LocalPostgres: Sendable {
    /// Its data folder.
    public let directory: String
    /// Its port on 127.0.0.1.
    public let port: Int
    /// A superuser URL for its `postgres` database.
    public var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    private init(directory: String, port: Int) {
        self.directory = directory
        self.port = port
    }

    /// Initialises and starts a new server. `durable: false` starts it as the suite's shared server
    /// is (fsync and synchronous commit off: faster, and a crash may lose its data), for tests that
    /// never crash it.
    public static func start(durable: Bool = true) async throws -> LocalPostgres {
        let base = try ServerScript.makeDirectory("pg")
        let port = Int(try await ServerScript.run(["free-port"])) ?? 0
        let server = LocalPostgres(directory: base + "/data", port: port)
        try await ServerScript.run(["pg-start", server.directory, String(port)],
                                   environment: durable ? [:] : ["PG_FSYNC": "off", "PG_SYNCHRONOUS_COMMIT": "off"])
        return server
    }

    /// Starts a new server, runs `body` with it and stops it (awaited) whether `body` returned or threw.
    public static func with<R>(durable: Bool = true, _ body: (LocalPostgres) async throws -> R) async throws -> R {
        let server = try await start(durable: durable)
        return try await stopping(server, after: body) { try await $0.stop() }
    }

    /// Fast restart (connections are terminated).
    public func restart() async throws { try await ServerScript.run(["pg-restart", directory]) }
    /// Fast shutdown.
    public func stop() async throws { try await ServerScript.run(["pg-stop", directory]) }
    /// Starts it again after `stop()`.
    public func startAgain() async throws { try await ServerScript.run(["pg-start", directory, String(port)]) }
}

/// A Redis server of a test's own, for tests that kill it.
public final class LocalRedis: Sendable {
    /// Its folder (pid file, log).
    public let directory: String
    /// Its port on 127.0.0.1.
    public let port: Int
    /// Its URL.
    public var url: String { "redis://127.0.0.1:\(port)" }

    private init(directory: String, port: Int) {
        self.directory = directory
        self.port = port
    }

    /// Starts a new server.
    /// A port found free can be taken by another test's server before this one binds it (then
    /// `redis-start` fails: another Redis answers there): up to three ports are tried.
    public static func start() async throws -> LocalRedis {
        var attempt = 0
        while true {
            attempt += 1
            let directory = try ServerScript.makeDirectory("redis")
            let port = Int(try await ServerScript.run(["free-port"])) ?? 0
            let server = LocalRedis(directory: directory, port: port)
            do {
                try await ServerScript.run(["redis-start", directory, String(port)])
                return server
            } catch where attempt < 3 {
                try? await server.stop()
            }
        }
    }

    /// Starts a new server, runs `body` with it and stops it (awaited) whether `body` returned or threw.
    public static func with<R>(_ body: (LocalRedis) async throws -> R) async throws -> R {
        let server = try await start()
        return try await stopping(server, after: body) { server in
            server.resume()
            try await server.stop()
        }
    }

    /// Stops it (SIGTERM, waits for exit).
    public func stop() async throws { try await ServerScript.run(["redis-stop", directory]) }

    /// Freezes the server (SIGSTOP): connections stay open and every command hangs, as on a host
    /// that stopped answering. `resume()` undoes it.
    public func pause() throws {
        guard kill(try pid(), SIGSTOP) == 0 else { throw TestEnvironmentError(message: "cannot SIGSTOP redis-server") }
    }

    /// Lets a paused server run again (SIGCONT); harmless when it is not paused or not running.
    public func resume() {
        if let pid = try? pid() { _ = kill(pid, SIGCONT) }
    }

    private func pid() throws -> pid_t {
        let text = try String(contentsOfFile: directory + "/redis.pid", encoding: .utf8)
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestEnvironmentError(message: "no pid in \(directory)/redis.pid")
        }
        return pid
    }
    /// Starts it again on the same port.
    public func startAgain() async throws { try await ServerScript.run(["redis-start", directory, String(port)]) }
}

/// Runs `body` with `server`, then `stop` (awaited) whether `body` returned or threw; `body`'s error
/// wins over a failed stop.
func stopping<Server, R>(_ server: Server, after body: (Server) async throws -> R,
                                 stop: (Server) async throws -> Void) async throws -> R {
    let value: R
    do {
        value = try await body(server)
    } catch {
        try? await stop(server)
        throw error
    }
    try await stop(server)
    return value
}
