@testable import AnalyticsAPI
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// An API wired to a test database (and optionally a Redis of its own), plus tokens for it.
struct TestApp: Sendable {
    static let secret = "test-secret-0123456789abcdef-0123456789"

    let database: TestDatabase
    let redis: RedisClient?
    let redisConfiguration: RedisConfiguration?
    var dependencies: APIDependencies
    let minter: TokenMinter

    /// Wires the API over `database` and, when given, the Redis at `redisURL`; `ingestPool` is the
    /// pool of `POST /api/v1/ingest` (default: the primary's, as `pool` or the database's);
    /// `refreshAheadKeys` as `CACHE_REFRESH_AHEAD_KEYS` (0: off); `read` is the pool of metric reads
    /// (`DATABASE_READ_URL`: a standby's; default the primary's), whose lag is sampled every
    /// `replicaLagInterval` when it is another pool.
    static func make(database: TestDatabase, redisURL: String? = nil, pool: PostgresPool? = nil,
                     ingestPool: PostgresPool? = nil, read: PostgresPool? = nil, refreshAheadKeys: Int = HotKeys.defaultCapacity,
                     replicaLagInterval: Duration = ReplicaLagMonitor.defaultInterval) async throws -> TestApp {
        let redisConfiguration = try redisURL.map { try RedisConfiguration(url: $0) }
        let redis = redisConfiguration.map { RedisClient(configuration: $0, executor: database.executor) }
        var logger = Logger(label: "api-test")
        logger.logLevel = .warning
        let dependencies = try await APIDependencies.make(
            primary: pool ?? database.pool, read: read ?? pool ?? database.pool, ingest: ingestPool, redis: redis,
            redisConfiguration: redisConfiguration, jwtSecret: secret, refreshAheadKeys: refreshAheadKeys,
            replicaLagInterval: replicaLagInterval, logger: logger)
        return TestApp(database: database, redis: redis, redisConfiguration: redisConfiguration, dependencies: dependencies,
                       minter: await TokenMinter(secret: secret))
    }

    /// The application (with the invalidation subscriber as a service when Redis is configured).
    var application: some ApplicationProtocol {
        Application(router: buildRouter(dependencies), services: dependencies.services)
    }

    /// A valid token.
    func token(_ role: String, regions: [String]? = nil, branches: [String]? = nil, subject: String = "tester") async throws -> String {
        try await minter.token(subject: subject, role: role, regions: regions, branches: branches)
    }

    /// Headers with a bearer token and `Content-Type: application/json`.
    func jsonHeaders(_ role: String, regions: [String]? = nil, branches: [String]? = nil, subject: String = "tester") async throws -> HTTPFields {
        var fields = try await headers(role, regions: regions, branches: branches, subject: subject)
        fields[.contentType] = "application/json"
        return fields
    }

    /// Headers with a bearer token.
    func headers(_ role: String, regions: [String]? = nil, branches: [String]? = nil, subject: String = "tester") async throws -> HTTPFields {
        [.authorization: "Bearer " + (try await token(role, regions: regions, branches: branches, subject: subject))]
    }
}

/// The fixture database, created once per test process and shared by the read-only suites.
enum SharedFixture {
    private static let task = Task { try await FixtureDatabase.create(poolSize: 8) }

    /// The shared fixture database (never written by tests that share it).
    static func database() async throws -> TestDatabase { try await task.value }
}

