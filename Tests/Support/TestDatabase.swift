import AnalyticsStore
import Foundation

/// A database of its own for one test suite, created on the test server and dropped afterwards, so
/// suites that swift-testing runs in parallel never see each other's rows.
public final class TestDatabase: Sendable {
    /// The configuration of the new database.
    public let configuration: PostgresConfiguration
    /// The database's name (`t_` + random hex).
    public let name: String
    /// A pool for it.
    public let pool: PostgresPool

    /// The `n` column of the first row of `sql` (a `SELECT count(*) AS n ...` and the like).
    public func count(_ sql: String, _ bindings: PostgresBindings = []) async throws -> Int {
        try await pool.query(sql, bindings)[0].decode(Int.self, "n")
    }
    /// The executor behind the pool.
    public let executor: BlockingExecutor
    private let admin: PostgresPool

    /// Creates an empty database; `migrated` applies `migrations/` to it.
    /// `serverURL` names another server than the suite's (a test's own, for fault tests).
    public static func create(migrated: Bool = true, poolSize: Int = 4, acquireTimeout: Duration = .seconds(10),
                              serverURL: String? = nil) async throws -> TestDatabase {
        let adminConfiguration = try PostgresConfiguration(url: try serverURL ?? TestEnvironment.databaseURL())
        let executor = BlockingExecutor(threads: poolSize + 4)
        let admin = PostgresPool(configuration: adminConfiguration, maximumConnections: 1, acquireTimeout: .seconds(10), executor: executor)
        let name = "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        // An identifier cannot be a bound parameter; the name is generated from [a-z0-9_] only.
        try await admin.withConnection { try await $0.executeScript("CREATE DATABASE \(name)") }
        let configuration = try adminConfiguration.replacingDatabase(with: name)
        let pool = PostgresPool(configuration: configuration, maximumConnections: poolSize, acquireTimeout: acquireTimeout, executor: executor)
        let database = TestDatabase(configuration: configuration, name: name, pool: pool, executor: executor, admin: admin)
        if migrated {
            let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            _ = try await MigrationRunner(migrations: migrations).run(on: pool)
        }
        return database
    }

    /// Creates a database (as `create`), runs `body` with it and drops it, awaited, whether `body`
    /// returned or threw. The database must not escape `body`.
    public static func with<R>(migrated: Bool = true, poolSize: Int = 4, acquireTimeout: Duration = .seconds(10),
                               serverURL: String? = nil, _ body: (TestDatabase) async throws -> R) async throws -> R {
        let database = try await create(migrated: migrated, poolSize: poolSize, acquireTimeout: acquireTimeout, serverURL: serverURL)
        return try await database.using(body)
    }

    /// Runs `body` with this database, then drops it (awaited) whether `body` returned or threw.
    public func using<R>(_ body: (TestDatabase) async throws -> R) async throws -> R {
        let value: R
        do {
            value = try await body(self)
        } catch {
            await drop()
            throw error
        }
        await drop()
        return value
    }

    private init(configuration: PostgresConfiguration, name: String, pool: PostgresPool, executor: BlockingExecutor, admin: PostgresPool) {
        self.configuration = configuration
        self.name = name
        self.pool = pool
        self.executor = executor
        self.admin = admin
    }

    /// Closes the pool and drops the database, then stops the executor (after the closes it queued).
    public func drop() async {
        pool.shutdown()
        _ = try? await admin.withConnection { try await $0.executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        admin.shutdown()
        // Runs after the closes queued above (one FIFO queue), so they are not cancelled.
        _ = try? await executor.run {}
        try? await executor.shutdown()
    }
}
