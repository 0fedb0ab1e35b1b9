import ArgumentParser

/// `metrics-worker`: the jobs that turn source data into the tables the API serves, one subcommand
/// per job, run by Kubernetes CronJobs.
@main
struct MetricsWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics-worker",
        abstract: "Loan-portfolio analytics jobs.",
        discussion: """
            Settings come from the environment: DATABASE_URL, REDIS_URL, ANALYTICS_TIMEZONE, \
            MIGRATIONS_DIR, DATABASE_POOL_SIZE, DQI_CHANNEL_PURITY, JWT_SECRET (dev-token), LOG_LEVEL.
            Exit codes: 0 done, 1 failed, 64 bad usage, 65 input had rejected records, \
            69 database unreachable, 75 skipped (try later).
            """,
        subcommands: [
            MigrateCommand.self, IngestCommand.self, RefreshLoansCommand.self, OfficerMetricsCommand.self,
            BranchMetricsCommand.self, Par15SnapshotCommand.self, ArchiveCommand.self, FullRefreshCommand.self,
            SeedDemoCommand.self, DevTokenCommand.self,
        ])
}
