import AnalyticsStore
import Foundation

/// What `/ready` reports.
struct ReadinessReport: Codable, Sendable {
    var ready: Bool
    var status: String
    var database: String
    var redis: String
    var schemaVersion: Int?
    var expectedSchemaVersion: Int

    enum CodingKeys: String, CodingKey {
        case ready, status, database, redis
        case schemaVersion = "schema_version"
        case expectedSchemaVersion = "expected_schema_version"
    }
}

/// Checks the dependencies `/ready` reports on.
protocol ReadinessProbe: Sendable {
    func check() async -> ReadinessReport
}

/// The real probe: a query on the primary pool and a Redis PING, each bounded by its timeouts.
struct StoreReadinessProbe: ReadinessProbe {
    let pool: PostgresPool
    let redis: RedisClient?

    func check() async -> ReadinessReport {
        var report = ReadinessReport(ready: false, status: "not ready", database: "unknown", redis: "not configured",
                                     schemaVersion: nil, expectedSchemaVersion: Schema.expectedVersion)
        do {
            let version = try await MigrationRunner.currentVersion(on: pool)
            report.schemaVersion = version
            if version < Schema.expectedVersion {
                report.database = "schema at version \(version), this build needs \(Schema.expectedVersion): run `metrics-worker migrate`"
            } else {
                report.database = "ok"
                report.ready = true
            }
        } catch let error as PostgresError {
            report.database = "unavailable: \(error.message)"
        } catch {
            report.database = "unavailable: \(error)"
        }
        if let redis {
            do {
                try await redis.command(["PING"])
                report.redis = "ok"
            } catch {
                report.redis = "degraded: \(error)"
            }
        }
        if report.ready {
            report.status = report.redis.hasPrefix("degraded") ? "degraded" : "ok"
        }
        return report
    }
}

