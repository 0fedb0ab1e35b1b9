import AnalyticsStore
import AnalyticsTestSupport
@testable import MetricsWorker
import Testing

@Suite("metrics-worker migrate")
struct MigrateCommandTests {
    @Test("migrate applies the repository's migrations, and a second run is a no-op")
    func migrateTwice() async throws {
        try await TestDatabase.create(migrated: false).using { db in
            let first = try await MigrateCommand.migrate(pool: db.pool, directory: TestEnvironment.migrationsDirectory)
            #expect(!first.applied.isEmpty)
            #expect(first.version == Schema.expectedVersion)
            let second = try await MigrateCommand.migrate(pool: db.pool, directory: TestEnvironment.migrationsDirectory)
            #expect(second.applied.isEmpty)
        }
    }

    @Test("a missing migrations folder is a clear error")
    func missingDirectory() async throws {
        try await TestDatabase.create(migrated: false).using { db in
            let error = await #expect(throws: PostgresError.self) {
                try await MigrateCommand.migrate(pool: db.pool, directory: "/nonexistent/migrations")
            }
            #expect(error?.message.contains("/nonexistent/migrations") == true)
        }
    }

    @Test("the configuration names the key that is missing or malformed")
    func configurationErrors() {
        #expect(throws: ConfigurationError.self) { try WorkerConfiguration(environment: [:]) }
        do {
            _ = try WorkerConfiguration(environment: ["DATABASE_URL": "mysql://x"])
            Issue.record("a non-PostgreSQL URL was accepted")
        } catch {
            #expect(error.key == "DATABASE_URL")
        }
        do {
            _ = try WorkerConfiguration(environment: ["DATABASE_URL": "postgres://u@h/d", "DATABASE_POOL_SIZE": "zero"])
            Issue.record("a bad pool size was accepted")
        } catch {
            #expect(error.key == "DATABASE_POOL_SIZE")
        }
    }
}
