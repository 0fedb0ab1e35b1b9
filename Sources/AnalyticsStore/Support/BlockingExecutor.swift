import NIOPosix

/// Runs blocking C calls (libpq, hiredis) on a dedicated pool of threads, never on Swift's
/// cooperative pool or a NIO event loop.
///
/// Size it for the number of blocking calls that may be in flight at once: the PostgreSQL pool size
/// plus the Redis connections. A call that waits for a free thread does not block any other task.
public final class BlockingExecutor: Sendable {
    private let threadPool: NIOThreadPool

    /// Starts `threads` threads.
    public init(threads: Int) {
        precondition(threads > 0, "a blocking executor needs at least one thread")
        self.threadPool = NIOThreadPool(numberOfThreads: threads)
        threadPool.start()
    }

    /// Runs `body` on one of the executor's threads and returns its result.
    ///
    /// Throws `BlockingExecutorError` when the executor was shut down.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    /// Stops the threads after the work already submitted has run.
    public func shutdown() async throws {
        try await threadPool.shutdownGracefully()
    }
}
