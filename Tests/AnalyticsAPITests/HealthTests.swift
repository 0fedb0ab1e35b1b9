@testable import AnalyticsAPI
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Health and readiness")
struct HealthTests {
    func app(_ db: TestDatabase, redis: RedisClient?) async throws -> some ApplicationProtocol {
        var dependencies = try await TestApp.make(database: db).dependencies
        dependencies.readiness = StoreReadinessProbe(pool: db.pool, redis: redis)
        return Application(router: buildRouter(dependencies))
    }

    @Test("/health answers 200 and /ready reports ready on a migrated database")
    func readyWhenMigrated() async throws {
        try await TestDatabase.create(migrated: true).using { db in
            let redis = RedisClient(configuration: try RedisConfiguration(url: try TestEnvironment.redisURL()), executor: db.executor)
            try await app(db, redis: redis).test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                    #expect(report.ready)
                    #expect(report.redis == "ok")
                    #expect(report.schemaVersion == Schema.expectedVersion)
                }
            }
        }
    }

    @Test("/ready is 503 naming the missing migration until the schema is migrated; the API never migrates")
    func notReadyBeforeMigration() async throws {
        try await TestDatabase.create(migrated: false).using { db in
            try await app(db, redis: nil).test(.router) { client in
                try await client.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                    #expect(!report.ready)
                    #expect(report.database.contains("metrics-worker migrate"))
                }
            }
            let actual = try await MigrationRunner.currentVersion(on: db.pool)
            #expect(actual == 0)
        }
    }

    @Test("Redis down makes /ready degraded but still ready")
    func degradedWithoutRedis() async throws {
        try await TestDatabase.create(migrated: true).using { db in
            let port = Int(try await ServerScript.run(["free-port"])) ?? 1
            let redis = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:\(port)"), executor: db.executor)
            try await app(db, redis: redis).test(.router) { client in
                try await client.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .ok)
                    let report = try JSONDecoder().decode(ReadinessReport.self, from: Data(response.body.readableBytesView))
                    #expect(report.status == "degraded")
                }
            }
        }
    }
}
