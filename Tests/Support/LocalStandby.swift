import AnalyticsStore
import Foundation

/// A streaming standby of a test's own `LocalPostgres` (`servers.sh pg-standby-start`:
/// `pg_basebackup -R`, so `standby.signal` and `primary_conninfo` point at the primary), on another
/// free loopback port, for tests of reads from a replica. Every database of the primary, the ones
/// created later included, is on the standby once it has replayed their WAL.
///
/// Replay can be paused (`pauseReplay`) to make the standby lag on purpose, and the whole server
/// crashed (`kill`: SIGKILL to every one of its processes, by pid) and started again. Its own small
/// pool (one connection to `postgres`) issues those commands; `stop()` closes it and stops the server.
public final class LocalStandby: Sendable {
    /// The primary it follows.
    public let primary: LocalPostgres
    /// Its data folder.
    public let directory: String
    /// Its port on 127.0.0.1.
    public let port: Int
    /// A superuser URL for its `postgres` database.
    public var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    private let executor: BlockingExecutor
    private let control: PostgresPool

    private init(primary: LocalPostgres, directory: String, port: Int) throws {
        self.primary = primary
        self.directory = directory
        self.port = port
        executor = BlockingExecutor(threads: 2)
        control = PostgresPool(configuration: try PostgresConfiguration(url: "postgres://postgres@127.0.0.1:\(port)/postgres"),
                               maximumConnections: 1, acquireTimeout: .seconds(10), executor: executor,
                               applicationName: "test-standby-control")
    }

    /// Copies `primary` with `pg_basebackup` and starts the copy as a hot standby; returns once it
    /// accepts read-only connections.
    public static func start(following primary: LocalPostgres) async throws -> LocalStandby {
        let base = try ServerScript.makeDirectory("pg")
        let port = Int(try await ServerScript.run(["free-port"])) ?? 0
        let standby = try LocalStandby(primary: primary, directory: base + "/data", port: port)
        do {
            try await standby.startAgain()
        } catch {
            await standby.closeControl()
            throw error
        }
        return standby
    }

    /// Starts a standby of `primary`, runs `body` with it and stops it (awaited) whether `body`
    /// returned or threw.
    public static func with<R>(following primary: LocalPostgres, _ body: (LocalStandby) async throws -> R) async throws -> R {
        let standby = try await start(following: primary)
        return try await stopping(standby, after: body) { try await $0.stop() }
    }

    /// The URL of `database` on the standby.
    public func url(database: String) throws -> String {
        try PostgresConfiguration(url: url).replacingDatabase(with: database).url
    }

    /// Pauses WAL replay and waits until it has paused: from then on the standby shows what it had
    /// replayed, whatever the primary commits, until `resumeReplay`.
    public func pauseReplay() async throws {
        try await control.query("SELECT pg_wal_replay_pause()")
        try await Waiting.until("the standby's replay has paused") {
            try await control.query("SELECT pg_get_wal_replay_pause_state() AS s")[0].decode(String.self, "s") == "paused"
        }
    }

    /// Resumes WAL replay.
    public func resumeReplay() async throws {
        try await control.query("SELECT pg_wal_replay_resume()")
    }

    /// Waits until the standby has replayed everything the primary (reached through `primaryPool`)
    /// had committed when this was called. The insert position, not `pg_current_wal_lsn()` (the
    /// write position): with `synchronous_commit = off` a commit may not be written yet.
    public func waitForReplay(of primaryPool: PostgresPool, timeout: Duration = .seconds(30)) async throws {
        let lsn = try await primaryPool.query("SELECT pg_current_wal_insert_lsn()::text AS lsn")[0].decode(String.self, "lsn")
        try await Waiting.until("the standby has replayed the primary's WAL up to \(lsn)", timeout: timeout) {
            try await control.query("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok", [lsn])[0].decode(Bool?.self, "ok") == true
        }
    }

    /// Crashes the standby: SIGKILL to the postmaster and all its processes at once, by pid (every
    /// client connection is reset, as when its host goes down); returns once they are gone.
    public func kill() async throws { try await ServerScript.run(["pg-kill-all", directory]) }

    /// Starts the standby (again, after `kill()` or `stop()`), on the same port, and waits until it
    /// accepts read-only connections.
    public func startAgain() async throws {
        try await ServerScript.run(["pg-standby-start", String(primary.port), directory, String(port)])
    }

    /// Fast shutdown; closes the control connection.
    public func stop() async throws {
        await closeControl()
        try await ServerScript.run(["pg-stop", directory])
    }

    private func closeControl() async {
        control.shutdown()
        // Runs after the close queued above (one FIFO queue), so it is not cancelled.
        _ = try? await executor.run {}
        try? await executor.shutdown()
    }
}
