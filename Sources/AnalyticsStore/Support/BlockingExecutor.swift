import NIOPosix
import ServiceLifecycle

/// Runs blocking C calls (libpq, hiredis) on a dedicated pool of threads, never on Swift's
/// cooperative pool or a NIO event loop.
///
/// Size it for the number of blocking calls that may be in flight at once, plus one: a PostgreSQL
/// pool needs its connections' worth of threads and one spare for a cancel request (`PQcancel` runs
/// here too, while the statement it cancels holds a thread). A call that waits for a free thread does
/// not block any other task. Redis has executors of its own (`RedisClient`), so a slow Redis cannot
/// take these threads.
///
/// A `Service`: `run()` returns after graceful shutdown (or cancellation), when it has stopped the
/// threads. List it before the pools that use it in a `ServiceGroup`, so it stops after them.
public final class BlockingExecutor: Service, Sendable {
    private let threadPool: NIOThreadPool

    /// Starts `threads` threads.
    public init(threads: Int) {
        precondition(threads > 0, "a blocking executor needs at least one thread")
        self.threadPool = NIOThreadPool(numberOfThreads: threads)
        threadPool.start()
    }

    /// Runs `body` on one of the executor's threads and returns its result.
    ///
    /// Throws `CancellationError` when the task is cancelled before `body` starts, and
    /// `NIOThreadPoolError.ThreadPoolInactive` when the executor was shut down.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    /// Queues `body` without waiting for it (closing a connection, sending a cancel request).
    /// When the executor is shut down `body` never runs: what it captured is released where the
    /// thread pool drops it, and the owners' `deinit` safety nets (`PQfinish`, `redisFree`) run there.
    func execute(_ body: @escaping @Sendable () -> Void) {
        threadPool.submit { state in
            guard case .active = state else { return }
            body()
        }
    }

    /// Runs `body` on one of the threads and waits for it, even if the task is cancelled meanwhile
    /// (closing what a service owns must not be skipped because its task was cancelled). When the
    /// executor is shut down `body` never runs, as with `execute`.
    func perform(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            threadPool.submit { state in
                if case .active = state { body() }
                done.resume()
            }
        }
    }

    /// Waits for graceful shutdown (or cancellation), then stops the threads.
    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops the threads; work still queued is cancelled. Safe to call more than once.
    public func shutdown() async throws {
        try await threadPool.shutdownGracefully()
    }
}
