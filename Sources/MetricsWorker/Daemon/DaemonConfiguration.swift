import AnalyticsCore
import Foundation

/// The daemon's own settings, read once from the environment (the shared ones are in
/// `WorkerConfiguration`).
///
/// Keys and defaults: `DAEMON_METRICS_HOST` (`127.0.0.1`; `0.0.0.0` in a container, so the
/// probes and Prometheus reach it), `DAEMON_METRICS_PORT` (9464; 0 picks a free port and logs it;
/// `--metrics-port` overrides it), `DAEMON_LEASE_RETRY_SECONDS` (5, 1...300: how often a daemon
/// without the scheduling lease tries to take it, and how often the holder checks its lease
/// connection), `DAEMON_SHUTDOWN_GRACE_SECONDS` (60, 0...3600: how long a running job may go on
/// after SIGTERM before it is cancelled), `DAEMON_BATCH_INTERVAL_MS` (1000, 0...60000: the shortest
/// time from the start of one batch of followed changes to the start of the next, so a steady
/// stream of ingests is applied about once a second, not as fast as batches finish: each batch
/// re-ranks the book and invalidates every list that shows ranks), and one cron expression per
/// schedule entry, in
/// `ANALYTICS_TIMEZONE`: `DAEMON_SCHEDULE_FULL_REFRESH` (`0 2 * * *`),
/// `DAEMON_SCHEDULE_ARCHIVE_OLD_DATA` (`0 3 * * *`), `DAEMON_SCHEDULE_OFFICER_METRICS`
/// (`*/15 * * * *`: refresh-loans --changed-only, then calculate-officer-metrics),
/// `DAEMON_SCHEDULE_BRANCH_METRICS` (`*/30 * * * *`), `DAEMON_SCHEDULE_PAR15_SNAPSHOT`
/// (`0 12 15 * *`), and, only when `FINERACT_DATABASE_URL` is set, `DAEMON_SCHEDULE_SYNC_FINERACT`
/// (`*/5 * * * *`: `sync-fineract`, docs/fineract.md). An empty value or `off` disables an entry.
struct DaemonConfiguration: Sendable {
    var metricsHost = "127.0.0.1"
    var metricsPort = 9464
    /// The enabled entries, in priority order.
    var jobs: [ScheduledJob] = []
    /// The names of the entries switched off.
    var disabled: [String] = []
    var leaseRetry: Duration = .seconds(5)
    var shutdownGrace: Duration = .seconds(60)
    var batchInterval: Duration = .seconds(1)

    init(environment: [String: String]) throws(ConfigurationError) {
        func integer(_ key: String, _ text: String?, default fallback: Int, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let text, !text.isEmpty else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigurationError(key: key, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
            }
            return value
        }
        if let host = environment["DAEMON_METRICS_HOST"], !host.isEmpty { metricsHost = host }
        metricsPort = try integer("DAEMON_METRICS_PORT", environment["DAEMON_METRICS_PORT"], default: 9464, 0...65535)
        leaseRetry = .seconds(try integer("DAEMON_LEASE_RETRY_SECONDS", environment["DAEMON_LEASE_RETRY_SECONDS"], default: 5, 1...300))
        shutdownGrace = .seconds(try integer("DAEMON_SHUTDOWN_GRACE_SECONDS", environment["DAEMON_SHUTDOWN_GRACE_SECONDS"],
                                             default: 60, 0...3600))
        batchInterval = .milliseconds(try integer("DAEMON_BATCH_INTERVAL_MS", environment["DAEMON_BATCH_INTERVAL_MS"],
                                                  default: 1000, 0...60_000))
        // Each read spelled out, so scripts/check-deploy.sh finds the keys the manifests may set.
        let expressions: [String: String?] = [
            "DAEMON_SCHEDULE_FULL_REFRESH": environment["DAEMON_SCHEDULE_FULL_REFRESH"],
            "DAEMON_SCHEDULE_ARCHIVE_OLD_DATA": environment["DAEMON_SCHEDULE_ARCHIVE_OLD_DATA"],
            "DAEMON_SCHEDULE_OFFICER_METRICS": environment["DAEMON_SCHEDULE_OFFICER_METRICS"],
            "DAEMON_SCHEDULE_BRANCH_METRICS": environment["DAEMON_SCHEDULE_BRANCH_METRICS"],
            "DAEMON_SCHEDULE_PAR15_SNAPSHOT": environment["DAEMON_SCHEDULE_PAR15_SNAPSHOT"],
            "DAEMON_SCHEDULE_SYNC_FINERACT": environment["DAEMON_SCHEDULE_SYNC_FINERACT"],
        ]
        let followsFineract = !(environment["FINERACT_DATABASE_URL"] ?? "").isEmpty
        for entry in ScheduledJob.defaults where followsFineract || !entry.requiresFineract {
            let text = (expressions[entry.settingKey] ?? nil) ?? entry.expression
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.lowercased() == "off" {
                disabled.append(entry.name)
                continue
            }
            do {
                jobs.append(ScheduledJob(name: entry.name, cron: try CronExpression(trimmed), logTypes: entry.logTypes, work: entry.work))
            } catch {
                throw ConfigurationError(key: entry.settingKey, message: "is not a cron expression (or off): \(error.message)")
            }
        }
    }
}
