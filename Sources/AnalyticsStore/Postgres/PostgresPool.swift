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
        case registered(CheckedContinuation<[Grant], any Error>)
        case granted([Grant])
        case failed(any Error)
    }

    private struct State {
        var idle: [PostgresConnectionHandle] = []
        var open = 0
        var inUse = 0
        /// Waiters in arrival order, each with how many connections it needs at once.
        var queue: [(id: Int, count: Int)] = []
        var slots: [Int: WaiterSlot] = [:]
        var nextWaiterID = 0
        var closed = false

        /// Takes `count` connections (idle ones first, then slots for new ones), or none when fewer
        /// than `count` are free: a lease never holds some while waiting for the rest.
        mutating func take(_ count: Int, maximum: Int) -> [Grant]? {
            guard idle.count + (maximum - open) >= count else { return nil }
            var grants: [Grant] = []
            for _ in 0..<count {
                if let handle = idle.popLast() {
                    grants.append(.connection(handle))
                } else {
                    open += 1
                    grants.append(.createSlot)
                }
            }
            inUse += count
            return grants
        }

        /// Serves waiters in arrival order while the first one's need can be met; returns the
        /// continuations to resume (outside the lock). A waiter that needs two waits at the head
        /// of the line, so later single leases cannot starve it.
        mutating func dispatch(maximum: Int) -> [(CheckedContinuation<[Grant], any Error>, [Grant])] {
            var ready: [(CheckedContinuation<[Grant], any Error>, [Grant])] = []
            while let head = queue.first {
                switch slots[head.id] {
                case .registered(let continuation):
                    guard let grants = take(head.count, maximum: maximum) else { return ready }
                    queue.removeFirst()
                    slots[head.id] = nil
                    ready.append((continuation, grants))
                case .pending:
                    guard let grants = take(head.count, maximum: maximum) else { return ready }
                    queue.removeFirst()
                    slots[head.id] = .granted(grants)
                default:
                    queue.removeFirst()
                }
            }
            return ready
        }
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

    /// Leases two connections together for the duration of `body`: the caller waits until both are
    /// free and takes them at once, never holding one while it waits for the other (two callers
    /// each holding one and waiting for a second would wait for each other until they time out).
    /// A pool of one connection cannot serve it: that throws `.poolTimeout` at once.
    public func withConnectionPair<R>(_ body: (PostgresConnection, PostgresConnection) async throws -> R) async throws -> R {
        let handles = try await acquire(count: 2)
        do {
            let value = try await body(PostgresConnection(handle: handles[0], executor: executor),
                                       PostgresConnection(handle: handles[1], executor: executor))
            handles.forEach(release)
            return value
        } catch {
            handles.forEach(release)
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
        let (idle, waiters) = state.withLock { s -> ([PostgresConnectionHandle], [CheckedContinuation<[Grant], any Error>]) in
            s.closed = true
            let idle = s.idle
            s.open -= idle.count
            s.idle.removeAll()
            var waiters: [CheckedContinuation<[Grant], any Error>] = []
            for (id, _) in s.queue {
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
        case grant([Grant])
        case wait(Int)
    }

    func acquire() async throws -> PostgresConnectionHandle {
        try await acquire(count: 1)[0]
    }

    /// Leases one more connection only if it is free now, nobody waits in line, and `keepingFree`
    /// others stay free after it; nil otherwise (without waiting). For work that goes faster with
    /// a connection more but does not need one (`Ingestor`'s second writer): it never holds
    /// connections while it waits for another, and never takes the last ones others may need.
    func acquireIfFree(keepingFree: Int) async throws -> PostgresConnectionHandle? {
        let maximum = maximumConnections
        let grant = state.withLock { s -> Grant? in
            guard !s.closed, s.queue.isEmpty, s.idle.count + (maximum - s.open) >= 1 + keepingFree else { return nil }
            return s.take(1, maximum: maximum)?.first
        }
        guard let grant else { return nil }
        return try await ready(grant)
    }

    /// Leases `count` connections at once (all or none; see `withConnectionPair`).
    func acquire(count: Int) async throws -> [PostgresConnectionHandle] {
        guard count <= maximumConnections else {
            throw PostgresError(code: .poolTimeout, message: """
                this work needs \(count) database connections at once and the pool has \(maximumConnections); \
                raise the pool size
                """)
        }
        let immediate = try state.withLock { s throws(PostgresError) -> Immediate in
            guard !s.closed else { throw PostgresError(code: .poolClosed, message: "the connection pool is shut down") }
            // Nobody is passed in the line: a waiter needing two keeps its place.
            if s.queue.isEmpty, let grants = s.take(count, maximum: maximumConnections) { return .grant(grants) }
            let id = s.nextWaiterID
            s.nextWaiterID += 1
            s.queue.append((id, count))
            s.slots[id] = .pending
            return .wait(id)
        }
        let grants: [Grant]
        switch immediate {
        case .grant(let g):
            grants = g
        case .wait(let id):
            grants = try await wait(id)
        }
        var handles: [PostgresConnectionHandle] = []
        for (index, grant) in grants.enumerated() {
            do {
                handles.append(try await ready(grant))
            } catch {
                // `ready` gave its own slot back; give back the rest too.
                handles.forEach(release)
                for later in grants[(index + 1)...] {
                    switch later {
                    case .connection(let handle): release(handle)
                    case .createSlot: handOn(slotOf: nil)
                    }
                }
                throw error
            }
        }
        return handles
    }

    private func wait(_ id: Int) async throws -> [Grant] {
        let timeout = acquireTimeout
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.fail(id, PostgresError(
                code: .poolTimeout,
                message: "no database connection became free within \(timeout) (pool of \(self?.maximumConnections ?? 0))"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Grant], any Error>) in
                let early = state.withLock { s -> Result<[Grant], any Error>? in
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
        let maximum = maximumConnections
        let (continuation, served) = state.withLock { s -> (CheckedContinuation<[Grant], any Error>?, [(CheckedContinuation<[Grant], any Error>, [Grant])]) in
            guard let slot = s.slots[id] else { return (nil, []) }
            switch slot {
            case .pending:
                s.queue.removeAll { $0.id == id }
                s.slots[id] = .failed(error)
            case .registered(let c):
                s.queue.removeAll { $0.id == id }
                s.slots[id] = nil
                // The waiter that leaves may have been the head that others waited behind.
                return (c, s.closed ? [] : s.dispatch(maximum: maximum))
            case .granted, .failed:
                return (nil, [])
            }
            return (nil, s.closed ? [] : s.dispatch(maximum: maximum))
        }
        continuation?.resume(throwing: error)
        for (waiter, grants) in served { waiter.resume(returning: grants) }
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

    /// Returns a leased connection: to the waiters, to the idle list, or closed when broken.
    func release(_ handle: PostgresConnectionHandle) {
        handOn(slotOf: handle.isReusable() ? handle : nil, closing: handle)
    }

    /// Returns a released connection (or, when nil, its freed slot) to the pool and serves the
    /// waiters it lets through.
    private func handOn(slotOf handle: PostgresConnectionHandle?, closing broken: PostgresConnectionHandle? = nil) {
        if handle == nil, let broken { close(broken) }
        let maximum = maximumConnections
        let (served, closeAfter) = state.withLock { s -> ([(CheckedContinuation<[Grant], any Error>, [Grant])], PostgresConnectionHandle?) in
            s.inUse -= 1
            if s.closed {
                s.open -= 1
                return ([], handle)
            }
            if let handle {
                s.idle.append(handle)
            } else {
                s.open -= 1
            }
            return (s.dispatch(maximum: maximum), nil)
        }
        if let closeAfter { close(closeAfter) }
        for (waiter, grants) in served { waiter.resume(returning: grants) }
    }
}
