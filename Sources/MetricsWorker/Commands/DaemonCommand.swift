import ArgumentParser

/// `metrics-worker daemon`: the long-running worker. It runs the job schedule (one replica at a
/// time, under a lease in PostgreSQL) and follows committed ingests, and serves `/metrics`,
/// `/health` and `/ready` on its own port.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the job schedule and follow committed ingests in one long-running process (SIGTERM stops it cleanly).",
        discussion: """
            The schedule (in ANALYTICS_TIMEZONE; a cron expression each, empty or 'off' disables): \
            DAEMON_SCHEDULE_OFFICER_METRICS (*/15 * * * *: refresh-loans --changed-only, then \
            calculate-officer-metrics), DAEMON_SCHEDULE_BRANCH_METRICS (*/30 * * * *), \
            DAEMON_SCHEDULE_FULL_REFRESH (0 2 * * *), DAEMON_SCHEDULE_PAR15_SNAPSHOT (0 12 15 * *), \
            DAEMON_SCHEDULE_ARCHIVE_OLD_DATA (0 3 * * *). Only one daemon schedules at a time (a PostgreSQL \
            advisory lock); the others stand by and take over within DAEMON_LEASE_RETRY_SECONDS (5). \
            After SIGTERM a running job has DAEMON_SHUTDOWN_GRACE_SECONDS (60) to finish. \
            /metrics, /health and /ready listen on DAEMON_METRICS_HOST (127.0.0.1) : DAEMON_METRICS_PORT (9464).
            """)

    @OptionGroup var asOf: AsOfOption
    @Option(name: .long, help: ArgumentHelp("Port of /metrics, /health and /ready (default: DAEMON_METRICS_PORT, or 9464; 0 picks a free port and logs it).",
                                            valueName: "PORT"))
    var metricsPort: Int?
    @Flag(name: .long, help: "Do not run the schedule (follow changes only).")
    var noSchedule = false
    @Flag(name: .long, help: "Do not follow changes (run the schedule only).")
    var noFollow = false

    func validate() throws {
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be from 0 to 65535, got \(metricsPort)")
        }
        if noSchedule && noFollow {
            throw ValidationError("--no-schedule and --no-follow together leave the daemon nothing to do")
        }
    }

    func run() async throws {
        try await Daemon.run(Daemon.Request(asOf: asOf.asOf, metricsPort: metricsPort, schedule: !noSchedule, follow: !noFollow))
    }
}
