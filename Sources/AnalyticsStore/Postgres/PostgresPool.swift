import Logging
import ServiceLifecycle
import Synchronization

/// A bounded pool of PostgreSQL connections.
///
/// At most `maximumConnections` are open. A caller that finds none free waits in line up to
/// `acquireTimeout`, then gets a `.poolTimeout` error. A connection that broke (server restarted,
/// network gone, transaction left open) is closed and replaced by a new one on the next lease.
/// Connecting, every statement, cancel requests and closing run on the `BlockingExecutor`, never on
/// the cooperative pool or the caller's thread.
///
/// A `Service`, as PostgresNIO's `PostgresClient`: `run()` lives until graceful shutdown (or
/// cancellation), then refuses new leases and closes the idle connections. Run it in the same
/// `ServiceGroup` as its executor, listed after it (so the executor stops after the pool).
/// Connections open lazily, so queries work before `run()` starts; a pool that is never run is
/// closed with `shutdown()`.
public final class PostgresPool: Service, Sendable {
    /// Counts for monitoring.
    public struct Statistics: Sendable, Equatable {
        /// Connections open (leased or idle).
        public var open: Int
        /// Connections leased right now.
        public var inUse: Int
        /// Callers waiting for a connection.
        public var waiting: Int
    }

    enum Grant {
        case connection(PostgresConnectionHandle)
        case createSlot
    }

    private enum WaiterSlot {
        case pending
        case registered(CheckedContinuation<Grant, any Error>)
        case granted(Grant)
        case failed(any Error)
    }

    private struct State {
        var idle: [PostgresConnectionHandle] = []
        var open = 0
        var inUse = 0
        var queue: [Int] = []
        var slots: [Int: WaiterSlot] = [:]
        var nextWaiterID = 0
        var closed = false
    }

    /// The server this pool connects to.
    public let configuration: PostgresConfiguration
    /// The most connections open at once.
    public let maximumConnections: Int
    /// How long a caller waits for a free connection.
    public let acquireTimeout: Duration
    /// The threads its blocking calls run on, for other blocking work of the same caller (file reads).
    public let executor: BlockingExecutor
    private let applicationName: String
    private let logger: Logger
    private let state = Mutex(State())

    /// Creates a pool; connections are opened lazily, on first use.
    public init(configuration: PostgresConfiguration, maximumConnections: Int, acquireTimeout: Duration,
                executor: BlockingExecutor, applicationName: String = "loan-analytics",
                logger: Logger = Logger(label: "analytics.postgres")) {
        precondition(maximumConnections > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.maximumConnections = maximumConnections
        self.acquireTimeout = acquireTimeout
        self.executor = executor
        self.applicationName = applicationName
        self.logger = logger
    }

    /// Current counts.
    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, inUse: $0.inUse, waiting: $0.queue.count) }
    }

    /// Leases a connection for the duration of `body`.
    public func withConnection<R>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        let handle = try await acquire()
        let connection = PostgresConnection(handle: handle, executor: executor)
        do {
            let value = try await body(connection)
            release(handle)
            return value
        } catch {
            release(handle)
            throw error
        }
    }

    /// Leases a connection and runs `body` in a transaction (ROLLBACK when it throws).
    public func withTransaction<R>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        try await withConnection { try await $0.withTransaction(body) }
    }

    /// Runs one statement on a leased connection.
    @discardableResult
    public func query(_ sql: String, _ bindings: PostgresBindings = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, bindings) }
    }

    /// Waits for graceful shutdown (or cancellation), then refuses new leases and closes the idle
    /// connections, waiting for them to close; leased ones close when returned.
    public func run() async throws {
        try? await gracefulShutdown()
        let idle = closeState()
        // Closed on the executor; if it is already gone, dropping the handles closes them (deinit).
        await executor.perform { idle.forEach { $0.close() } }
    }

    /// Refuses new leases and queues the idle connections' closing on the executor without waiting;
    /// leased ones close when returned. For a pool that is not run as a service.
    public func shutdown() {
        let idle = closeState()
        executor.execute { idle.forEach { $0.close() } }
    }

    /// Marks the pool closed, fails the waiters and returns the idle connections to close.
    private func closeState() -> [PostgresConnectionHandle] {
        let (idle, waiters) = state.withLock { s -> ([PostgresConnectionHandle], [CheckedContinuation<Grant, any Error>]) in
            s.closed = true
            let idle = s.idle
            s.open -= idle.count
            s.idle.removeAll()
            var waiters: [CheckedContinuation<Grant, any Error>] = []
            for id in s.queue {
                if case .registered(let c) = s.slots[id] { waiters.append(c) }
                s.slots[id] = .failed(PostgresError(code: .poolClosed, message: "the connection pool is shut down"))
            }
            s.queue.removeAll()
            return (idle, waiters)
        }
        waiters.forEach { $0.resume(throwing: PostgresError(code: .poolClosed, message: "the connection pool is shut down")) }
        return idle
    }

    /// Closes a connection on the executor (PQfinish may block on the socket).
    private func close(_ handle: PostgresConnectionHandle) {
        executor.execute { handle.close() }
    }

    // MARK: Leasing

    private enum Immediate {
        case grant(Grant)
        case wait(Int)
    }

    func acquire() async throws -> PostgresConnectionHandle {
        let immediate = try state.withLock { s throws(PostgresError) -> Immediate in
            guard !s.closed else { throw PostgresError(code: .poolClosed, message: "the connection pool is shut down") }
            if let handle = s.idle.popLast() {
                s.inUse += 1
                return .grant(.connection(handle))
            }
            if s.open < maximumConnections {
                s.open += 1
                s.inUse += 1
                return .grant(.createSlot)
            }
            let id = s.nextWaiterID
            s.nextWaiterID += 1
            s.queue.append(id)
            s.slots[id] = .pending
            return .wait(id)
        }
        let grant: Grant
        switch immediate {
        case .grant(let g):
            grant = g
        case .wait(let id):
            grant = try await wait(id)
        }
        return try await ready(grant)
    }

    private func wait(_ id: Int) async throws -> Grant {
        let timeout = acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.fail(id, PostgresError(
                code: .poolTimeout,
                message: "no database connection became free within \(timeout) (pool of \(self?.maximumConnections ?? 0))"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let early = state.withLock { s -> Result<Grant, any Error>? in
                    switch s.slots[id] {
                    case .granted(let g):
                        s.slots[id] = nil
                        return .success(g)
                    case .failed(let e):
                        s.slots[id] = nil
                        return .failure(e)
                    default:
                        s.slots[id] = .registered(continuation)
                        return nil
                    }
                }
                if let early { continuation.resume(with: early) }
            }
        } onCancel: {
            self.fail(id, CancellationError())
        }
    }

    private func fail(_ id: Int, _ error: any Error) {
        let continuation = state.withLock { s -> CheckedContinuation<Grant, any Error>? in
            guard let slot = s.slots[id] else { return nil }
            switch slot {
            case .pending:
                s.queue.removeAll { $0 == id }
                s.slots[id] = .failed(error)
                return nil
            case .registered(let c):
                s.queue.removeAll { $0 == id }
                s.slots[id] = nil
                return c
            case .granted, .failed:
                return nil
            }
        }
        continuation?.resume(throwing: error)
    }

    /// Turns a grant into a live connection: checks an idle one, or opens a new one.
    private func ready(_ grant: Grant) async throws -> PostgresConnectionHandle {
        if case .connection(let handle) = grant {
            if handle.isReusable() { return handle }
            logger.info("replacing a broken database connection", metadata: ["server": "\(configuration)"])
            close(handle)
        }
        let configuration = self.configuration
        let applicationName = self.applicationName
        do {
            return try await executor.run {
                try PostgresConnectionHandle.connect(configuration, applicationName: applicationName)
            }
        } catch {
            // Give the slot back so the next caller can try to connect.
            handOn(slotOf: nil)
            throw error
        }
    }

    /// Returns a leased connection: to the next waiter, to the idle list, or closed when broken.
    func release(_ handle: PostgresConnectionHandle) {
        handOn(slotOf: handle.isReusable() ? handle : nil, closing: handle)
    }

    /// Passes a released connection (or, when nil, its freed slot) to the first waiter, else keeps it.
    private func handOn(slotOf handle: PostgresConnectionHandle?, closing broken: PostgresConnectionHandle? = nil) {
        if handle == nil, let broken { close(broken) }
        let (continuation, grant, closeAfter) = state.withLock { s -> (CheckedContinuation<Grant, any Error>?, Grant?, PostgresConnectionHandle?) in
            if s.closed {
                s.inUse -= 1
                s.open -= 1
                return (nil, nil, handle)
            }
            while let id = s.queue.first {
                s.queue.removeFirst()
                let grant: Grant = handle.map { .connection($0) } ?? .createSlot
                switch s.slots[id] {
                case .registered(let c):
                    s.slots[id] = nil
                    return (c, grant, nil)
                case .pending:
                    s.slots[id] = .granted(grant)
                    return (nil, nil, nil)
                default:
                    continue
                }
            }
            s.inUse -= 1
            if let handle {
                s.idle.append(handle)
            } else {
                s.open -= 1
            }
            return (nil, nil, nil)
        }
        if let closeAfter { close(closeAfter) }
        if let continuation, let grant { continuation.resume(returning: grant) }
    }
}
