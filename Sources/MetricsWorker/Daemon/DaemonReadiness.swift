import AnalyticsStore
import Foundation

/// What the daemon's `/ready` reports.
struct DaemonReadiness: Codable, Sendable {
    var ready: Bool
    /// `ok`, `unavailable`, or what to do about the schema.
    var database: String
    var schemaVersion: Int?
    var expectedSchemaVersion: Int
    /// Whether this process runs the schedule right now (a standby replica is ready too).
    var leaseHeld: Bool

    enum CodingKeys: String, CodingKey {
        case ready, database
        case schemaVersion = "schema_version"
        case expectedSchemaVersion = "expected_schema_version"
        case leaseHeld = "lease_held"
    }

    /// Checks the database on `pool` (the control pool: the job pool's connections may all be in
    /// use by a long job). The reason a check failed goes to the log, not the response.
    static func check(pool: PostgresPool, leaseHeld: Bool, log: PhaseLog) async -> DaemonReadiness {
        var report = DaemonReadiness(ready: false, database: "unavailable", schemaVersion: nil,
                                     expectedSchemaVersion: Schema.expectedVersion, leaseHeld: leaseHeld)
        do {
            let schema = try await Schema.status(on: pool)
            report.schemaVersion = schema.version
            report.database = schema.summary
            report.ready = schema.isCurrent
        } catch {
            log.log("readiness_check_failed", ["error": (error as? PostgresError)?.message ?? String(describing: error)], level: "warning")
        }
        return report
    }
}
