import AnalyticsStore
import Foundation
import Logging

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
///
/// `/ready` needs no token, so the report says only `ok`, `unavailable` or `degraded`: why a
/// dependency failed (libpq's text names the host, port, database and user) goes to the log.
struct StoreReadinessProbe: ReadinessProbe {
    let pool: PostgresPool
    let redis: RedisClient?
    var logger = Logger(label: "analytics-api.ready")

    func check() async -> ReadinessReport {
        var report = ReadinessReport(ready: false, status: "not ready", database: "unknown", redis: "not configured",
                                     schemaVersion: nil, expectedSchemaVersion: Schema.expectedVersion)
        do {
            let schema = try await Schema.status(on: pool)
            report.schemaVersion = schema.version
            report.database = schema.summary
            report.ready = schema.isCurrent
        } catch {
            report.database = "unavailable"
            logger.warning("readiness: the database is unavailable", metadata: ["error": "\(APIError.logSummary(of: error))"])
        }
        if let redis {
            do {
                try await redis.command(["PING"])
                report.redis = "ok"
            } catch {
                report.redis = "degraded"
                logger.warning("readiness: Redis is unavailable", metadata: ["error": "\(APIError.logSummary(of: error))"])
            }
        }
        if report.ready {
            report.status = report.redis == "degraded" ? "degraded" : "ok"
        }
        return report
    }
}
