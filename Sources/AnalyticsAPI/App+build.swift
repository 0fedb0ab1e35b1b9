import AnalyticsStore
import Hummingbird
import Logging

/// Builds the router: every route of the API, in one place.
func buildRouter(readiness: any ReadinessProbe) -> Router<BasicRequestContext> {
    let router = Router()
    HealthController(readiness: readiness).addRoutes(to: router)
    return router
}

/// Builds the application and the services it runs (the HTTP server; the pools close at shutdown).
func buildApplication(configuration: APIConfiguration, logger: Logger) -> (some ApplicationProtocol, APIResources) {
    let resources = APIResources(configuration: configuration, logger: logger)
    let router = buildRouter(readiness: StoreReadinessProbe(pool: resources.primary, redis: resources.redis))
    let app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.bindAddress, port: configuration.port),
                             serverName: "analytics-api"),
        logger: logger)
    return (app, resources)
}

/// The long-lived clients the API shares between requests.
struct APIResources: Sendable {
    let executor: BlockingExecutor
    let primary: PostgresPool
    let read: PostgresPool
    let redis: RedisClient?

    init(configuration: APIConfiguration, logger: Logger) {
        // One thread per possible in-flight blocking call: both pools plus the Redis connections.
        let separateRead = configuration.readDatabase.url != configuration.database.url
        let threads = configuration.poolSize * (separateRead ? 2 : 1) + 8
        let executor = BlockingExecutor(threads: threads)
        self.executor = executor
        primary = PostgresPool(configuration: configuration.database, maximumConnections: configuration.poolSize,
                               acquireTimeout: configuration.acquireTimeout, executor: executor,
                               applicationName: "analytics-api", logger: logger)
        read = separateRead
            ? PostgresPool(configuration: configuration.readDatabase, maximumConnections: configuration.poolSize,
                           acquireTimeout: configuration.acquireTimeout, executor: executor,
                           applicationName: "analytics-api-read", logger: logger)
            : primary
        redis = configuration.redis.map { RedisClient(configuration: $0, executor: executor) }
    }

    func shutdown() async {
        primary.shutdown()
        read.shutdown()
        redis?.shutdown()
        try? await executor.shutdown()
    }
}
