import AnalyticsCore
import CPostgres
import Foundation
import Synchronization

/// A connection of its own that `LISTEN`s on one channel and waits for its notifications
/// (PostgreSQL `NOTIFY`), for the worker daemon that follows committed ingests.
///
/// Not from the pool: a listening session must stay open between statements, and the pool hands a
/// connection with unread data back as broken. Every libpq call (connect, LISTEN, the wait on the
/// socket, close) runs on the `BlockingExecutor`; a wait blocks one of its threads for at most the
/// timeout it is given, so a caller that waits in a loop also sees its own cancellation.
///
/// A notification tells that something committed, not what: the caller reads its table. After
/// `listen()` (the first, or after a lost connection) the caller must look at the table once, since
/// notifications sent while nobody listened are not replayed.
public final class PostgresListener: Sendable {
    private let configuration: PostgresConfiguration
    private let channel: String
    private let executor: BlockingExecutor
    private let applicationName: String
    private let handle = Mutex<PostgresConnectionHandle?>(nil)

    /// `channel` is a constant of the caller (an SQL identifier: letters, digits, `_`).
    public init(configuration: PostgresConfiguration, channel: String, executor: BlockingExecutor,
                applicationName: String = "loan-analytics-listener") {
        precondition(!channel.isEmpty && channel.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 48 && $0 <= 57)
            || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }, "a channel name is a plain identifier")
        self.configuration = configuration
        self.channel = channel
        self.executor = executor
        self.applicationName = applicationName
    }

    /// True while a listening connection is open.
    public var isListening: Bool { handle.withLock { $0 != nil } }

    /// Opens the connection and starts listening (a no-op while listening).
    public func listen() async throws {
        guard !isListening else { return }
        let configuration = self.configuration
        let applicationName = self.applicationName
        let statement = "LISTEN \(channel)"
        let opened = try await executor.run { () throws -> PostgresConnectionHandle in
            let opened = try PostgresConnectionHandle.connect(configuration, applicationName: applicationName)
            do {
                try opened.simpleExecute(statement)
            } catch {
                opened.close()
                throw error
            }
            return opened
        }
        handle.withLock { $0 = opened }
    }

    /// Waits up to `timeout` for notifications on the channel; true when at least one arrived (all
    /// that arrived are consumed). A lost connection throws `.connectionLost` and closes it: call
    /// `listen()` again, then look at the table.
    public func wait(timeout: Duration) async throws -> Bool {
        guard let current = handle.withLock({ $0 }) else {
            throw PostgresError(code: .connectionLost, message: "the listening connection is not open: call listen() first")
        }
        let milliseconds = Int32(clamping: max(0, timeout.wholeMilliseconds))
        do {
            return try await executor.run { try current.waitForNotification(timeoutMilliseconds: milliseconds) }
        } catch {
            await close()
            throw error
        }
    }

    /// Closes the connection (on the executor); `listen()` opens a new one.
    public func close() async {
        guard let current = handle.withLock({ state -> PostgresConnectionHandle? in
            defer { state = nil }
            return state
        }) else { return }
        await executor.perform { current.close() }
    }
}

extension PostgresConnectionHandle {
    /// Blocks up to `timeoutMilliseconds` until the server sends something on this listening
    /// connection; returns true when notifications were among it (and consumes them all).
    func waitForNotification(timeoutMilliseconds: Int32) throws(PostgresError) -> Bool {
        guard let connection = rawConnection, PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, message: "the listening connection was lost")
        }
        // Notifications read along with an earlier reply are already waiting in libpq.
        if Self.consumeNotifications(connection) { return true }
        let socket = PQsocket(connection)
        guard socket >= 0 else { throw PostgresError(code: .connectionLost, message: "the listening connection has no socket") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 {
            guard errno == EINTR else {
                throw PostgresError(code: .connectionLost, message: "waiting on the listening connection failed (errno \(errno))")
            }
            return false
        }
        guard ready > 0 else { return false }
        guard PQconsumeInput(connection) == 1, PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingNewlines()
            throw PostgresError(code: .connectionLost, message: "the listening connection was lost: \(message)")
        }
        return Self.consumeNotifications(connection)
    }

    /// Frees every notification libpq holds; true when there was one.
    private static func consumeNotifications(_ connection: OpaquePointer) -> Bool {
        var any = false
        while let notification = PQnotifies(connection) {
            PQfreemem(notification)
            any = true
        }
        return any
    }
}
