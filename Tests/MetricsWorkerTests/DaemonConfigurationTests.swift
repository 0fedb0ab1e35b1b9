import AnalyticsCore
@testable import MetricsWorker
import Testing

/// The daemon's settings: defaults (ARCHITECTURE.md "Schedules"), overrides, `off`, and a bad value
/// naming its key.
@Suite("Daemon configuration")
struct DaemonConfigurationTests {
    @Test("defaults: the design's schedule in priority order, 127.0.0.1:9464, 5 s lease retry, 60 s grace")
    func defaults() throws {
        let settings = try DaemonConfiguration(environment: [:])
        #expect(settings.jobs.map(\.name) == ["full-refresh", "archive-old-data", "officer-metrics", "branch-metrics", "par15-snapshot"])
        #expect(settings.jobs.map(\.cron.text) == ["0 2 * * *", "0 3 * * *", "*/15 * * * *", "*/30 * * * *", "0 12 15 * *"])
        #expect(settings.disabled.isEmpty)
        #expect(settings.metricsHost == "127.0.0.1" && settings.metricsPort == 9464)
        #expect(settings.leaseRetry == .seconds(5) && settings.shutdownGrace == .seconds(60))
    }

    @Test("sync-fineract is scheduled (every 5 minutes, before the 15-minute pair) only when FINERACT_DATABASE_URL is set")
    func fineractEntry() throws {
        let tenant = "postgres://reader:secret@127.0.0.1:5432/fineract_default"
        let following = try DaemonConfiguration(environment: ["FINERACT_DATABASE_URL": tenant])
        #expect(following.jobs.map(\.name) == ["full-refresh", "archive-old-data", "sync-fineract", "officer-metrics", "branch-metrics",
                                               "par15-snapshot"])
        #expect(following.jobs.first { $0.name == "sync-fineract" }?.cron.text == "*/5 * * * *")
        #expect(following.jobs.first { $0.name == "sync-fineract" }?.completionLogType == "sync-fineract")
        for environment in [[:], ["FINERACT_DATABASE_URL": ""], ["DAEMON_SCHEDULE_SYNC_FINERACT": "*/5 * * * *"]] {
            let settings = try DaemonConfiguration(environment: environment)
            #expect(!settings.jobs.contains { $0.name == "sync-fineract" }, "\(environment)")
            #expect(settings.disabled.isEmpty, "\(environment)")
        }
        let slower = try DaemonConfiguration(environment: ["FINERACT_DATABASE_URL": tenant, "DAEMON_SCHEDULE_SYNC_FINERACT": "*/20 * * * *"])
        #expect(slower.jobs.first { $0.name == "sync-fineract" }?.cron.text == "*/20 * * * *")
    }

    @Test("every entry's setting is read: an expression replaces the default, empty or off disables it")
    func overrides() throws {
        for entry in ScheduledJob.defaults {
            // The Fineract entry exists only with a tenant to follow.
            let tenant = entry.requiresFineract ? ["FINERACT_DATABASE_URL": "postgres://reader@127.0.0.1/fineract_default"] : [:]
            let changed = try DaemonConfiguration(environment: tenant.merging([entry.settingKey: "5 4 * * SUN"]) { $1 })
            #expect(changed.jobs.first { $0.name == entry.name }?.cron.text == "5 4 * * SUN", "\(entry.settingKey)")
            for off in ["", "off", "OFF", "  "] {
                let disabled = try DaemonConfiguration(environment: tenant.merging([entry.settingKey: off]) { $1 })
                #expect(!disabled.jobs.contains { $0.name == entry.name } && disabled.disabled == [entry.name], "\(entry.settingKey)=\(off)")
            }
        }
        let settings = try DaemonConfiguration(environment: ["DAEMON_METRICS_HOST": "0.0.0.0", "DAEMON_METRICS_PORT": "0",
                                                             "DAEMON_LEASE_RETRY_SECONDS": "2", "DAEMON_SHUTDOWN_GRACE_SECONDS": "0",
                                                             "DAEMON_BATCH_INTERVAL_MS": "250"])
        #expect(settings.metricsHost == "0.0.0.0" && settings.metricsPort == 0)
        #expect(settings.leaseRetry == .seconds(2) && settings.shutdownGrace == .zero)
        #expect(settings.batchInterval == .milliseconds(250))
        #expect(try DaemonConfiguration(environment: [:]).batchInterval == .seconds(1))
        #expect(try DaemonConfiguration(environment: ["DAEMON_BATCH_INTERVAL_MS": "0"]).batchInterval == .zero)
    }

    @Test("a malformed value stops start-up with a line naming the key",
          arguments: [("DAEMON_SCHEDULE_FULL_REFRESH", "0 2 * *"), ("DAEMON_SCHEDULE_PAR15_SNAPSHOT", "0 12 31 2 *"),
                      ("DAEMON_SCHEDULE_BRANCH_METRICS", "*/0 * * * *"), ("DAEMON_METRICS_PORT", "http"),
                      ("DAEMON_SCHEDULE_SYNC_FINERACT", "*/5 * *"),
                      ("DAEMON_METRICS_PORT", "65536"), ("DAEMON_LEASE_RETRY_SECONDS", "0"), ("DAEMON_SHUTDOWN_GRACE_SECONDS", "3601"),
                      ("DAEMON_BATCH_INTERVAL_MS", "60001"), ("DAEMON_BATCH_INTERVAL_MS", "1.5")])
    func malformed(key: String, value: String) {
        do {
            _ = try DaemonConfiguration(environment: [key: value, "FINERACT_DATABASE_URL": "postgres://reader@127.0.0.1/fineract_default"])
            Issue.record("accepted \(key)=\(value)")
        } catch {
            #expect(error.key == key)
            #expect("\(error)".hasPrefix("configuration error: \(key) "), "\(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }
}
