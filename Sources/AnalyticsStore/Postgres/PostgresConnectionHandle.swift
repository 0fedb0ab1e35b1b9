import CPostgres
import Foundation
import Synchronization

/// Owns one libpq connection (`PGconn`). All calls block and must run on a `BlockingExecutor` thread,
/// `cancel` and `close` included (the pool and `PostgresConnection` queue them there).
///
/// `@unchecked Sendable` is safe because the pool leases a handle to one user at a time and that user
/// awaits each blocking call before issuing the next, so no two threads touch the `PGconn` at once.
/// The only call made concurrently with a statement is `cancel(statement:)`, which uses a `PGcancel`
/// object that libpq documents as safe to use concurrently with the connection; the statement ids
/// are behind a lock.
///
/// `deinit` is the safety net: it frees the cancel object and, if nobody closed the connection,
/// calls `PQfinish` on the thread that drops the last reference. The pool closes every connection
/// on the executor, so that happens only when the executor was already shut down when a connection
/// was returned (a lease outliving the executor); `PQfinish` then sends a Terminate message on a
/// connection with an empty send buffer, which does not block in practice.
final class PostgresConnectionHandle: @unchecked Sendable {
    private var connection: OpaquePointer?
    private let cancelObject: OpaquePointer?
    let configuration: PostgresConfiguration
    /// The statement ids handed out, and the one running (nil between statements).
    private let statements = Mutex<(issued: UInt64, running: UInt64?)>((0, nil))
    /// The names of the session set-ups this server session has (`prepareSession`).
    private let sessionSetups = Mutex<Set<String>>([])
    /// Set by `PostgresConnection.discardAfterUse()`: the pool closes the connection at release.
    private let discarded = Mutex(false)

    private init(connection: OpaquePointer, configuration: PostgresConfiguration) {
        self.connection = connection
        self.cancelObject = PQgetCancel(connection)
        self.configuration = configuration
    }

    deinit {
        if let cancelObject { PQfreeCancel(cancelObject) }
        if let connection { PQfinish(connection) }
    }

    /// Connects (blocking). The session runs in UTC with ISO dates so text values parse one way,
    /// and the server sends warnings and errors only: its NOTICEs (`relation ... already exists,
    /// skipping` for our idempotent `CREATE ... IF NOT EXISTS`) would otherwise reach a person's
    /// terminal through libpq's default notice processor.
    static func connect(_ configuration: PostgresConfiguration, applicationName: String) throws(PostgresError) -> PostgresConnectionHandle {
        // Defaults come before the URL ("dbname" expanded), so the URL's own options win.
        var keywords = ["application_name", "client_encoding"]
        var values = [applicationName, "UTF8"]
        if !configuration.hasConnectTimeout {
            keywords.append("connect_timeout")
            values.append("5")
        }
        keywords.append("dbname")
        values.append(configuration.url)
        let raw: OpaquePointer? = withCStringArray(keywords) { k in
            withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let raw else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(raw)).trimmingNewlines()
            PQfinish(raw)
            throw PostgresError(code: .connectionFailed,
                                message: "cannot connect to \(configuration): \(message)")
        }
        let handle = PostgresConnectionHandle(connection: raw, configuration: configuration)
        try handle.simpleExecute("""
            SET TIME ZONE 'UTC'; SET DateStyle TO 'ISO, YMD'; SET IntervalStyle TO 'iso_8601'; SET client_min_messages TO warning
            """)
        return handle
    }

    /// Closes the connection now (blocking: run it on the executor; the deinit would otherwise).
    func close() {
        if let connection {
            PQfinish(connection)
            self.connection = nil
        }
    }

    /// True when the connection still looks usable: open, idle (no transaction left open), and
    /// nothing waiting on the socket (checked without blocking).
    ///
    /// We never LISTEN, so data arriving on an idle connection is the server going away (a FATAL
    /// "terminating connection" then EOF) or at worst a stray notice: either way a new connection is
    /// the safe choice, and it costs one reconnect.
    func isReusable() -> Bool {
        guard !discarded.withLock({ $0 }) else { return false }
        guard let connection, PQstatus(connection) == CONNECTION_OK,
              PQtransactionStatus(connection) == PQTRANS_IDLE else { return false }
        let socket = PQsocket(connection)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// Makes `isReusable` false for good (any thread).
    func discard() {
        discarded.withLock { $0 = true }
    }

    /// A new statement id, for `running` and `cancel(statement:)` (any thread).
    func nextStatementID() -> UInt64 {
        statements.withLock { s in
            s.issued &+= 1
            return s.issued
        }
    }

    /// Runs `body` (blocking) as statement `id`: a cancel request for `id` reaches the server only
    /// while it runs, never a later statement of another lease.
    func running<R>(_ id: UInt64, _ body: () throws -> R) rethrows -> R {
        statements.withLock { $0.running = id }
        defer { statements.withLock { $0.running = nil } }
        return try body()
    }

    /// Asks the server to cancel statement `id` if it is still running (blocking: run it on the
    /// executor). A request that arrives after the statement ended does nothing.
    func cancel(statement id: UInt64) {
        // Under the lock, so the statement cannot end and the next one start between the check and
        // the request (the next statement's `running` waits the few milliseconds a cancel takes).
        statements.withLock { state in
            guard state.running == id else { return }
            cancel()
        }
    }

    /// Asks the server to cancel the statement in progress (blocking: a connection to the server).
    func cancel() {
        guard let cancelObject else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelObject, &buffer, Int32(buffer.count))
    }

    /// The libpq connection, nil once closed (for the listener's wait, on the executor).
    var rawConnection: OpaquePointer? { connection }

    private func requireConnection() throws(PostgresError) -> OpaquePointer {
        guard let connection else {
            throw PostgresError(code: .connectionLost, message: "the connection is closed")
        }
        return connection
    }

    /// Runs SQL with no parameters through the simple-query protocol (several statements allowed).
    /// Only for constant SQL: migration files, SET, BEGIN/COMMIT/ROLLBACK.
    func simpleExecute(_ sql: String) throws(PostgresError) {
        let connection = try requireConnection()
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result, sql: sql, connection: connection)
    }

    /// Runs constant set-up SQL once per server session: nothing when `name` ran on this connection
    /// before. It is remembered only when no transaction is open afterwards, since a rollback
    /// would undo it (`CREATE TEMP TABLE` inside a transaction).
    func prepareSession(_ name: String, _ sql: String) throws(PostgresError) {
        guard !sessionSetups.withLock({ $0.contains(name) }) else { return }
        try simpleExecute(sql)
        if let connection, PQtransactionStatus(connection) == PQTRANS_IDLE {
            sessionSetups.withLock { _ = $0.insert(name) }
        }
    }

    /// Runs one statement with bound parameters and returns all rows (text format).
    func query(_ sql: String, _ bindings: PostgresBindings) throws(PostgresError) -> PostgresRows {
        let connection = try requireConnection()
        let encoded = try EncodedParameters(bindings)
        let result = encoded.withPointers { pointers in
            PQexecParams(connection, sql, Int32(bindings.count), nil, pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, sql: sql, connection: connection)
        guard let result else { return PostgresRows(columns: PostgresColumns(names: [], types: []), values: [], affectedRows: 0) }
        return Self.readRows(result)
    }

    private static func readRows(_ result: OpaquePointer) -> PostgresRows {
        let fieldCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var names: [String] = []
        var types: [PostgresDataType] = []
        names.reserveCapacity(fieldCount)
        for i in 0..<fieldCount {
            names.append(String(cString: PQfname(result, Int32(i))))
            types.append(PostgresDataType(oid: UInt32(PQftype(result, Int32(i)))))
        }
        var values: [String?] = []
        values.reserveCapacity(fieldCount * rowCount)
        for row in 0..<rowCount {
            for column in 0..<fieldCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                    let pointer = PQgetvalue(result, Int32(row), Int32(column))
                    values.append(pointer.map { p in
                        p.withMemoryRebound(to: UInt8.self, capacity: length) {
                            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                        }
                    } ?? "")
                }
            }
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: PostgresColumns(names: names, types: types), values: values, affectedRows: affected)
    }

    /// Throws the server's error for a failed result, classifying a broken connection.
    func check(_ result: OpaquePointer?, sql: String?, connection: OpaquePointer) throws(PostgresError) {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_EMPTY_QUERY:
            return
        default:
            throw makeError(result, sql: sql, connection: connection)
        }
    }

    func makeError(_ result: OpaquePointer?, sql: String?, connection: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(UInt8(ascii: "C"))
        let primary = field(UInt8(ascii: "M"))
        let lost = PQstatus(connection) != CONNECTION_OK
        let message = primary ?? String(cString: PQerrorMessage(connection)).trimmingNewlines()
        return PostgresError(code: lost ? .connectionLost : .server,
                             message: message.isEmpty ? "the server closed the connection" : message,
                             sqlState: sqlState, detail: field(UInt8(ascii: "D")),
                             hint: field(UInt8(ascii: "H")), query: sql)
    }

    // MARK: COPY

    /// Starts `COPY ... FROM STDIN`; then `putCopyData` and `endCopy`.
    func beginCopy(_ sql: String, expecting: ExecStatusType) throws(PostgresError) {
        let connection = try requireConnection()
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result, sql: sql, connection: connection)
        guard let result, PQresultStatus(result) == expecting else {
            throw PostgresError(code: .copyFailed, message: "the statement did not start a COPY", query: sql)
        }
    }

    /// Sends a chunk of COPY data (blocking until it is queued).
    func putCopyData(_ bytes: [UInt8]) throws(PostgresError) {
        let connection = try requireConnection()
        guard !bytes.isEmpty else { return }
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let start = buffer.baseAddress else { return 1 }
            return start.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(connection, $0, Int32(buffer.count))
            }
        }
        if status != 1 {
            throw PostgresError(code: .copyFailed,
                                message: String(cString: PQerrorMessage(connection)).trimmingNewlines())
        }
    }

    /// Ends `COPY FROM STDIN` (or aborts it with `errorMessage`) and returns the rows copied.
    @discardableResult
    func endCopyIn(errorMessage: String?) throws(PostgresError) -> Int {
        let connection = try requireConnection()
        if PQputCopyEnd(connection, errorMessage) != 1 {
            throw PostgresError(code: .copyFailed,
                                message: String(cString: PQerrorMessage(connection)).trimmingNewlines())
        }
        return try drainResults(connection)
    }

    /// Reads the results that follow a COPY until libpq has none left, throwing the first error.
    func drainResults(_ connection: OpaquePointer) throws(PostgresError) -> Int {
        var firstError: PostgresError?
        var affected = 0
        while let result = PQgetResult(connection) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, firstError == nil {
                firstError = makeError(result, sql: nil, connection: connection)
            } else {
                affected = Int(String(cString: PQcmdTuples(result))) ?? affected
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
        return affected
    }

    /// Reads one row of `COPY TO STDOUT` into `buffer` (replacing its contents). Returns false at the end.
    func getCopyRow(into buffer: inout [UInt8]) throws(PostgresError) -> Bool {
        let connection = try requireConnection()
        var pointer: UnsafeMutablePointer<CChar>?
        let length = PQgetCopyData(connection, &pointer, 0)
        if length > 0, let pointer {
            defer { PQfreemem(pointer) }
            buffer.removeAll(keepingCapacity: true)
            pointer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                buffer.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(length)))
            }
            return true
        }
        if length == -1 {
            _ = try drainResults(connection)
            return false
        }
        throw PostgresError(code: PQstatus(connection) == CONNECTION_OK ? .copyFailed : .connectionLost,
                            message: String(cString: PQerrorMessage(connection)).trimmingNewlines())
    }
}

/// Runs `body` with a NULL-terminated array of C strings that live for the call.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let duplicated = strings.map { strdup($0) }
    defer { duplicated.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = duplicated.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
