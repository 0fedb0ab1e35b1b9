import AnalyticsCore
import AnalyticsLogging
import ArgumentParser
import Foundation

/// `metrics-worker`: the jobs that turn source data into the tables the API serves, one subcommand
/// per job (run by Kubernetes CronJobs), and `daemon`, which runs their schedule itself and follows
/// committed ingests.
@main
struct MetricsWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics-worker",
        abstract: "Loan-portfolio analytics jobs.",
        discussion: """
            Settings come from the environment: DATABASE_URL, DATABASE_READ_URL, REDIS_URL, \
            ANALYTICS_TIMEZONE, MIGRATIONS_DIR, DATABASE_POOL_SIZE, DQI_CHANNEL_PURITY, JWT_SECRET (dev-token), \
            FINERACT_DATABASE_URL, FINERACT_REGION_LEVEL, FINERACT_CHANNEL (sync-fineract), \
            LOG_LEVEL, LOG_FORMAT (json or text; log lines go to standard error).
            Exit codes: 0 done, 1 failed, 64 bad usage or setting, 65 input had rejected records, \
            69 database unreachable, 75 skipped (try later).
            """,
        version: ProductVersion.current,
        subcommands: [
            MigrateCommand.self, IngestCommand.self, RejectsCommand.self, RefreshLoansCommand.self, OfficerMetricsCommand.self,
            BranchMetricsCommand.self, Par15SnapshotCommand.self, ArchiveCommand.self, FullRefreshCommand.self,
            SyncFineractCommand.self, ConsumeFineractEventsCommand.self, DaemonCommand.self, SeedDemoCommand.self, DevTokenCommand.self,
        ])

    /// Sets up logging from `LOG_LEVEL` / `LOG_FORMAT` (a bad value: one line naming the key, exit
    /// 64), then parses the command line and runs the subcommand.
    static func main() async {
        do {
            try LogSettings(environment: ProcessInfo.processInfo.environment).bootstrap(stream: .standardError)
        } catch {
            FileHandle.standardError.write(Data("metrics-worker: configuration error: \(error)\n".utf8))
            exit(withError: ExitCode.usage)
        }
        await main(nil)
    }
}
