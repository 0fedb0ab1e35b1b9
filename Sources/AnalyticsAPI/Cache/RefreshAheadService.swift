import Logging
import ServiceLifecycle

/// Loads again, in the background, the recently read entries an invalidation moved (`HotKeys`), a
/// few at a time, through the same path as a reader (`RedisMetricsCache.refresh`: the Redis entry
/// another replica may already have stored, else the load, stored in Redis and in process). A
/// reader that asks meanwhile joins the load in flight. A failed refresh changes nothing: the next
/// reader loads the entry as it would have without this. Stops on graceful shutdown.
struct RefreshAheadService: Service {
    let hotKeys: HotKeys
    let cache: RedisMetricsCache
    /// Loads at once (each takes a connection of the read pool while it queries).
    var concurrency = 2
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in hotKeys.wakeups {
                await drain()
                if Task.isCancelled { break }
            }
        }
        hotKeys.finish()
    }

    /// Refreshes every due key, `concurrency` at a time, until none is due.
    private func drain() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            while !Task.isCancelled, let due = hotKeys.takeDue() {
                if running >= concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask {
                    await cache.refresh(due.key, load: due.load, logger: logger)
                }
                running += 1
            }
        }
    }
}
