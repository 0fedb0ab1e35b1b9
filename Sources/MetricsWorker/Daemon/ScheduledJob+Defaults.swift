import AnalyticsCore

extension ScheduledJob {
    /// An entry of the default schedule: its name, the setting that overrides its expression, the
    /// default expression (ARCHITECTURE.md "Schedules", design section 7.2), and what it runs.
    struct Default: Sendable {
        let name: String
        let settingKey: String
        let expression: String
        let logTypes: [String]
        /// Scheduled only when `FINERACT_DATABASE_URL` names a tenant to follow.
        var requiresFineract = false
        let work: @Sendable (DaemonContext, CalendarDate) async throws -> JobCounts
    }

    /// The default schedule, in priority order: when several entries are due at once they run one
    /// after another in this order (the daily jobs first, so after 02:00's full refresh the
    /// 15-minute pair finds little to do), as `deploy/compose/worker-schedule.sh` does.
    static let defaults: [Default] = [
        Default(name: "full-refresh", settingKey: "DAEMON_SCHEDULE_FULL_REFRESH", expression: "0 2 * * *",
                logTypes: ["full_refresh", "refresh_loans", "officer_metrics", "par15_snapshot", "branch_metrics"]) { context, date in
            try await MetricJobs.fullRefresh(context.jobContext(asOf: date))
        },
        Default(name: "archive-old-data", settingKey: "DAEMON_SCHEDULE_ARCHIVE_OLD_DATA", expression: "0 3 * * *",
                logTypes: ["archive"]) { context, date in
            try await MetricJobs.archive(context.jobContext(asOf: date), keepDays: ArchiveCommand.defaultKeepDays)
        },
        // Before the 15-minute pair, so at a quarter hour it sees the loans the sync just loaded.
        Default(name: "sync-fineract", settingKey: "DAEMON_SCHEDULE_SYNC_FINERACT", expression: "*/5 * * * *",
                logTypes: ["sync-fineract"], requiresFineract: true) { context, date in
            guard let tenant = context.fineract else {
                throw JobSkipped(message: "sync-fineract needs FINERACT_DATABASE_URL (the tenant database, read-only)")
            }
            return try await SyncFineractCommand.syncJob(pool: context.pool, tenant: tenant.pool, runner: context.runner, date: date,
                                                         options: tenant.scheduledOptions).counts
        },
        // refresh-loans --changed-only, then calculate-officer-metrics: the officer rows only when
        // the refresh completed (as the CronJob's init container, and `&&` in worker-schedule.sh).
        Default(name: "officer-metrics", settingKey: "DAEMON_SCHEDULE_OFFICER_METRICS", expression: "*/15 * * * *",
                logTypes: ["officer_metrics", "refresh_loans"]) { context, date in
            let job = context.jobContext(asOf: date)
            let loans = try await MetricJobs.refreshLoans(job, changedOnly: true)
            let officers = try await MetricJobs.officerMetrics(job)
            return JobCounts(processed: loans.processed + officers.processed, updated: loans.updated + officers.updated,
                             failed: loans.failed + officers.failed)
                .described("\(loans.summary ?? "loans refreshed"); \(officers.summary ?? "officer rows written")")
        },
        Default(name: "branch-metrics", settingKey: "DAEMON_SCHEDULE_BRANCH_METRICS", expression: "*/30 * * * *",
                logTypes: ["branch_metrics"]) { context, date in
            try await MetricJobs.branchMetrics(context.jobContext(asOf: date))
        },
        Default(name: "par15-snapshot", settingKey: "DAEMON_SCHEDULE_PAR15_SNAPSHOT", expression: "0 12 15 * *",
                logTypes: ["par15_snapshot"]) { context, date in
            try await MetricJobs.par15Snapshot(context.jobContext(asOf: date))
        },
    ]
}
