import Logging
import ServiceLifecycle

/// Runs long-lived services (executor, pools, Redis client) for the duration of a piece of work, for
/// short-lived programs and tests: a `ServiceGroup` starts them, `body` runs, then graceful shutdown
/// stops them in reverse order and this returns once each has closed what it owns, whether `body`
/// returned or threw.
public enum ServiceScope {
    /// Runs `services` around `body` (list an executor before the clients that use it) and returns
    /// what `body` returns. `body`'s error wins over a service's.
    public static func run<R>(_ services: [any Service], logger: Logger = Logger(label: "analytics.services"),
                              _ body: () async throws -> R) async throws -> R {
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<R, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            do {
                try await tasks.waitForAll()
            } catch {
                if case .success = result { throw error }
            }
            return try result.get()
        }
    }
}
