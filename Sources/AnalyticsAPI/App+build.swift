import AnalyticsStore
import Hummingbird
import Logging
import ServiceLifecycle

/// Everything the routes need, as `Sendable` protocol values where tests may substitute them.
struct APIDependencies: Sendable {
    var readiness: any ReadinessProbe
    var metricsRepository: any MetricsRepository
    var auditRepository: any AuditRepository
    var ingestRepository: any IngestRepository
    /// The largest body of `POST /api/v1/ingest` (`INGEST_MAX_BYTES`).
    var ingestMaxBytes: Int
    /// Records per transaction of `POST /api/v1/ingest`.
    var ingestChunkSize = Ingestor.fileChunkSize
    var cache: any MetricsCache
    var audit: AuditDirectory
    /// Finished officer-list bodies and drilldown pages, at the live versions of their tags.
    var officerBodies: RenderedResponseCache
    var drilldownBodies: RenderedResponseCache
    var verifier: TokenVerifier
    var cursors: CursorCodec
    var metrics: APIMetrics
    var pools: [(name: String, pool: PostgresPool)]
    var corsAllowedOrigins: Set<String>
    var log: RequestLogSink
    /// Services to run with the server (the invalidation subscriber, the replica lag monitor).
    var services: [any Service]

    /// Wires the real implementations over the given pools and Redis client; `ingest` (default:
    /// `primary`) is the pool of `POST /api/v1/ingest`. Metric reads go to `read` and fall back to
    /// `primary` (`ReadPool`); audit reads and every write go to `primary`. When `read` is another
    /// pool, its replay lag is sampled every `replicaLagInterval` (`ReplicaLagMonitor`).
    static func make(primary: PostgresPool, read: PostgresPool, ingest: PostgresPool? = nil, redis: RedisClient?,
                     redisConfiguration: RedisConfiguration?,
                     jwtSecret: String, jwtPreviousSecret: String? = nil, jwtPublicKeyPEM: String? = nil,
                     timeZone: String = "Africa/Lagos", cacheTTLSeconds: Int = CacheNamespace.defaultTTLSeconds,
                     refreshAheadKeys: Int = HotKeys.defaultCapacity,
                     corsAllowedOrigins: Set<String> = [],
                     idempotencyKeyTTLHours: Int = PostgresAuditRepository.defaultIdempotencyKeyTTLHours,
                     ingestMaxBytes: Int = IngestController.defaultMaximumBytes,
                     replicaLagInterval: Duration = ReplicaLagMonitor.defaultInterval,
                     logger: Logger) async throws -> APIDependencies {
        let metrics = APIMetrics()
        let reads = ReadPool(replica: read, primary: primary, metrics: metrics, logger: logger)
        let auditCache = AuditCache()
        let local = LocalCache(maximumBytes: 32 * 1024 * 1024, ttl: .seconds(cacheTTLSeconds))
        let officerBodies = RenderedResponseCache()
        let drilldownBodies = RenderedResponseCache()
        let hotKeys = refreshAheadKeys > 0 ? HotKeys(capacity: refreshAheadKeys) : nil
        let snapshots = OfficerSnapshots()
        let tracker = GenerationTracker { generation in
            local.removeAll()
            snapshots.removeAll()
            officerBodies.setLiveGeneration(generation)
            drilldownBodies.setLiveGeneration(generation)
            // A new generation moves every entry; going down (nil) moves none that could be kept.
            if generation != nil { hotKeys?.moved(nil) }
        }
        let auditRepository = PostgresAuditRepository(pool: primary, timeZone: timeZone, idempotencyKeyTTLHours: idempotencyKeyTTLHours)
        var cache: any MetricsCache = NoMetricsCache()
        var services: [any Service] = []
        if let redis, let redisConfiguration {
            let redisCache = RedisMetricsCache(redis: redis, tracker: tracker, local: local, ttlSeconds: cacheTTLSeconds,
                                               metrics: metrics, hotKeys: hotKeys)
            cache = redisCache
            services.append(InvalidationSubscriber(redis: redis, subscriber: RedisSubscriber(configuration: redisConfiguration),
                                                   tracker: tracker, auditCache: auditCache, logger: logger, hotKeys: hotKeys))
            if let hotKeys { services.append(RefreshAheadService(hotKeys: hotKeys, cache: redisCache, logger: logger)) }
        }
        if reads.hasReplica {
            services.append(ReplicaLagMonitor(replica: read, metrics: metrics, logger: logger, interval: replicaLagInterval))
        }
        var pools: [(name: String, pool: PostgresPool)] = [("primary", primary)]
        if read !== primary { pools.append(("read", read)) }
        if let ingest, ingest !== primary { pools.append(("ingest", ingest)) }
        return APIDependencies(
            readiness: StoreReadinessProbe(pool: primary, redis: redis, logger: logger),
            metricsRepository: PostgresMetricsRepository(pool: reads, snapshots: snapshots),
            auditRepository: auditRepository,
            ingestRepository: PostgresIngestRepository(pool: ingest ?? primary, idempotencyKeyTTLHours: idempotencyKeyTTLHours),
            ingestMaxBytes: ingestMaxBytes,
            cache: cache,
            audit: AuditDirectory(repository: auditRepository, cache: auditCache, redis: redis, metrics: metrics),
            officerBodies: officerBodies,
            drilldownBodies: drilldownBodies,
            verifier: try await TokenVerifier(secret: jwtSecret, previousSecret: jwtPreviousSecret, rsaPublicKeyPEM: jwtPublicKeyPEM),
            cursors: CursorCodec(secret: jwtSecret),
            metrics: metrics,
            pools: pools,
            corsAllowedOrigins: corsAllowedOrigins,
            log: RequestLogSink(logger: logger),
            services: services)
    }
}

/// Builds the router: every route of the API, in one place.
func buildRouter(_ dependencies: APIDependencies) -> Router<APIRequestContext> {
    buildRouterAndRoutes(dependencies).router
}

/// Builds the router and lists its routes (`METHOD /path`), for the OpenAPI check.
func buildRouterAndRoutes(_ dependencies: APIDependencies) -> (router: Router<APIRequestContext>, routes: [String]) {
    let router = Router(context: APIRequestContext.self)
    // CORS outermost: its headers go on every response, the error responses made inside included.
    router.add(middleware: CORSPolicyMiddleware(allowedOrigins: dependencies.corsAllowedOrigins))
    router.add(middleware: RequestLogMiddleware(metrics: dependencies.metrics, log: dependencies.log))
    let routeTable = RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))
    let recorder = RouteRecorder(router: router)
    HealthController(readiness: dependencies.readiness).addRoutes(to: recorder)
    ObservabilityController(metrics: dependencies.metrics, repository: dependencies.metricsRepository,
                            pools: dependencies.pools, openAPI: ObservabilityController.loadOpenAPI()).addRoutes(to: recorder)
    let api = recorder.group("api/v1").add(middleware: AuthMiddleware(verifier: dependencies.verifier))
    OfficersController(repository: dependencies.metricsRepository, cache: dependencies.cache, audit: dependencies.audit,
                       rendered: dependencies.officerBodies, metrics: dependencies.metrics).addRoutes(to: api)
    BranchesController(repository: dependencies.metricsRepository, cache: dependencies.cache).addRoutes(to: api)
    LoansController(repository: dependencies.metricsRepository, cursors: dependencies.cursors, cache: dependencies.cache,
                    rendered: dependencies.drilldownBodies, metrics: dependencies.metrics).addRoutes(to: api)
    AuditController(repository: dependencies.auditRepository, audit: dependencies.audit).addRoutes(to: api)
    IngestController(repository: dependencies.ingestRepository, maximumBytes: dependencies.ingestMaxBytes,
                     chunkSize: dependencies.ingestChunkSize).addRoutes(to: api)
    routeTable.set(recorder.routes)
    return (router, recorder.routes)
}

/// Builds the application: the router, and every long-lived piece as a service of its
/// `ServiceGroup` (the clients of `APIResources`, then the invalidation subscriber, then the HTTP
/// server, which Hummingbird lists last). Graceful shutdown stops them in reverse order: the server
/// (in-flight requests finish), the subscriber, Redis, the pools, and last the executor they use.
func buildApplication(configuration: APIConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let resources = APIResources(configuration: configuration, logger: logger)
    let dependencies = try await APIDependencies.make(
        primary: resources.primary, read: resources.read, ingest: resources.ingest, redis: resources.redis,
        redisConfiguration: configuration.redis,
        jwtSecret: configuration.jwtSecret, jwtPreviousSecret: configuration.jwtPreviousSecret,
        jwtPublicKeyPEM: configuration.jwtPublicKeyPEM, timeZone: configuration.timeZone,
        cacheTTLSeconds: configuration.cacheTTLSeconds, refreshAheadKeys: configuration.refreshAheadKeys,
        corsAllowedOrigins: configuration.corsAllowedOrigins,
        idempotencyKeyTTLHours: configuration.idempotencyKeyTTLHours, ingestMaxBytes: configuration.ingestMaxBytes, logger: logger)
    return Application(
        router: buildRouter(dependencies),
        configuration: .init(address: .hostname(configuration.bindAddress, port: configuration.port), serverName: "analytics-api"),
        services: resources.services + dependencies.services,
        logger: logger)
}

/// The long-lived clients the API shares between requests. Creating them opens nothing (connections
/// open lazily); they close when their services stop.
struct APIResources: Sendable {
    /// The PostgreSQL pools' threads. Redis has threads of its own (`RedisClient`), so a hung Redis
    /// cannot take these.
    let executor: BlockingExecutor
    let primary: PostgresPool
    let read: PostgresPool
    /// `POST /api/v1/ingest`'s own connections to the primary (`INGEST_DB_POOL_SIZE`): however many
    /// loads run, the readers' pools keep theirs.
    let ingest: PostgresPool
    let redis: RedisClient?

    init(configuration: APIConfiguration, logger: Logger) {
        // One thread per connection of every pool, plus spares for cancel requests and closing.
        let separateRead = configuration.readDatabase.url != configuration.database.url
        let threads = configuration.poolSize * (separateRead ? 2 : 1) + configuration.ingestPoolSize + 2
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
        ingest = PostgresPool(configuration: configuration.database, maximumConnections: configuration.ingestPoolSize,
                              acquireTimeout: configuration.acquireTimeout, executor: executor,
                              applicationName: "analytics-api-ingest", logger: logger)
        redis = configuration.redis.map { RedisClient(configuration: $0, maximumConnections: 8) }
    }

    /// The services, in start order; a `ServiceGroup` stops them in reverse, so the executor, first,
    /// stops after the pools that use it.
    var services: [any Service] {
        var services: [any Service] = [executor, primary, ingest]
        if read !== primary { services.append(read) }
        if let redis { services.append(redis) }
        return services
    }
}
