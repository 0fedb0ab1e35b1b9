/// A leased PostgreSQL connection. Every call runs the blocking libpq work on the pool's
/// `BlockingExecutor`; task cancellation queues a cancel request there (`PQcancel` blocks, so it
/// never runs on the cancelling thread), which reaches the server only while that statement runs.
///
/// Only valid inside the `withConnection` / `withTransaction` closure that handed it out: do not let
/// it escape.
public struct PostgresConnection: Sendable {
    let handle: PostgresConnectionHandle
    let executor: BlockingExecutor

    /// Runs one statement with bound parameters and returns its rows.
    ///
    /// Values are never spliced into `sql`: write `$1`, `$2`, ... and pass them in `bindings`.
    @discardableResult
    public func query(_ sql: String, _ bindings: PostgresBindings = []) async throws -> PostgresRows {
        try await cancellable { try $0.query(sql, bindings) }
    }

    /// Runs `body` on the executor as one statement that task cancellation cancels on the server.
    private func cancellable<T: Sendable>(_ body: @escaping @Sendable (PostgresConnectionHandle) throws -> T) async throws -> T {
        let handle = self.handle
        let executor = self.executor
        let id = handle.nextStatementID()
        return try await withTaskCancellationHandler {
            try await executor.run { try handle.running(id) { try body(handle) } }
        } onCancel: {
            executor.execute { handle.cancel(statement: id) }
        }
    }

    /// Closes this connection when its lease ends instead of returning it to the pool: for a
    /// session whose state could not be undone (a session-level advisory lock whose unlock failed
    /// because the task was cancelled), which closing the session undoes on the server.
    public func discardAfterUse() {
        handle.discard()
    }

    /// Releases a session-level advisory lock on the way out of a failed operation. When that is
    /// impossible (the task was cancelled, the connection broke), the connection is discarded
    /// instead (`discardAfterUse`): closing the session releases every lock it holds, whereas back
    /// in the pool it would keep them for whoever leases it next.
    public func releaseAdvisoryLockOrDiscard(_ key: Int64, shared: Bool = false) async {
        do {
            try await query(shared ? "SELECT pg_advisory_unlock_shared($1)" : "SELECT pg_advisory_unlock($1)", [key])
        } catch {
            discardAfterUse()
        }
    }

    /// Runs a statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ bindings: PostgresBindings = []) async throws -> Int {
        try await query(sql, bindings).affectedRows
    }

    /// Runs constant SQL (possibly several statements) with the simple-query protocol.
    ///
    /// For migration files and session settings only: it takes no parameters, so it must never be
    /// given SQL built from values.
    public func executeScript(_ sql: String) async throws {
        try await cancellable { try $0.simpleExecute(sql) }
    }

    /// Runs constant set-up SQL (e.g. the `CREATE TEMP TABLE` of session staging tables) once per
    /// server session: the first call with `name` on a connection runs it, later ones on the same
    /// connection cost no round trip; a connection opened to replace a broken one runs it again.
    /// Call it outside a transaction (set-up that a rollback could undo is not remembered). The
    /// same rules as `executeScript`: constant SQL only, never built from values.
    public func prepareSession(_ name: String, _ sql: String) async throws {
        try await cancellable { try $0.prepareSession(name, sql) }
    }

    /// Runs `body` in a transaction: BEGIN, then COMMIT when it returns, ROLLBACK when it throws.
    public func withTransaction<R>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await executeScript("BEGIN")
        let value: R
        do {
            value = try await body(self)
        } catch {
            // The original error matters more than a failed rollback (the connection may be gone).
            try? await executeScript("ROLLBACK")
            throw error
        }
        try await executeScript("COMMIT")
        return value
    }

    /// Streams rows into `COPY table (columns) FROM STDIN` (text format). Memory stays bounded: the
    /// writer sends its buffer whenever it passes `PostgresCopyInWriter.flushThreshold`.
    ///
    /// `sql` is the whole COPY statement, e.g. `COPY loans (loan_id, ...) FROM STDIN`. Returns the
    /// number of rows copied. When `body` throws, the COPY is aborted and nothing is written.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (PostgresCopyInWriter) async throws -> Void) async throws -> Int {
        let handle = self.handle
        try await executor.run { try handle.beginCopy(sql, expecting: .copyIn) }
        let writer = PostgresCopyInWriter(handle: handle, executor: executor)
        do {
            try await body(writer)
            try await writer.flush()
        } catch {
            let reason = String(describing: error)
            _ = try? await executor.run { try handle.endCopyIn(errorMessage: "aborted by client: \(reason)") }
            throw error
        }
        return try await executor.run { try handle.endCopyIn(errorMessage: nil) }
    }

    /// Streams the rows of `COPY (query) TO STDOUT` (text format) through `body`, which runs on the
    /// blocking executor and pulls rows with `reader.next()`; memory stays bounded by one row.
    ///
    /// COPY takes no parameters: pass values through `bindSettings`, which are set with
    /// `set_config(name, value, false)` (bound parameters) before the COPY, and read them in the query
    /// with `current_setting('name')`. Returns what `body` returns.
    public func copyOut<R: Sendable>(
        _ sql: String,
        bindSettings: [(name: String, value: String)] = [],
        _ body: @escaping @Sendable (inout PostgresCopyOutReader) throws -> R
    ) async throws -> R {
        try await streamCopy(sql, bindSettings: bindSettings, body)
    }

    /// Streams the rows of `COPY (query) TO STDOUT (FORMAT binary)` through `body`, on the blocking
    /// executor, like `copyOut` (same `bindSettings`, same cancellation).
    public func copyOutBinary<R: Sendable>(
        _ sql: String,
        bindSettings: [(name: String, value: String)] = [],
        _ body: @escaping @Sendable (inout PostgresBinaryCopyReader) throws -> R
    ) async throws -> R {
        try await streamCopy(sql, bindSettings: bindSettings, body)
    }

    /// The COPY TO STDOUT loop of both formats.
    private func streamCopy<Reader: PostgresCopyOutStream, R: Sendable>(
        _ sql: String,
        bindSettings: [(name: String, value: String)],
        _ body: @escaping @Sendable (inout Reader) throws -> R
    ) async throws -> R {
        for setting in bindSettings {
            try await query("SELECT set_config($1, $2, false)", [setting.name, setting.value])
        }
        return try await cancellable { handle in
            try handle.beginCopy(sql, expecting: .copyOut)
            var reader = Reader(handle: handle)
            do {
                let value = try body(&reader)
                try reader.drain()
                return value
            } catch {
                // Leave the connection usable: cancel the rest (we are on the executor) and read to the end.
                handle.cancel()
                try? reader.drain()
                throw error
            }
        }
    }
}

/// A reader of `COPY ... TO STDOUT` rows (text or binary format).
protocol PostgresCopyOutStream: SendableMetatype {
    init(handle: PostgresConnectionHandle)
    mutating func drain() throws
}

extension PostgresCopyOutReader: PostgresCopyOutStream {}
extension PostgresBinaryCopyReader: PostgresCopyOutStream {}
