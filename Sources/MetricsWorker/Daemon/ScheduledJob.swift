import AnalyticsCore

/// One entry of the daemon's schedule: when it fires and what it runs.
struct ScheduledJob: Sendable {
    /// The entry's name: the `schedule` label on `/metrics` and in log lines (`full-refresh`, ...).
    let name: String
    /// When it fires, in the business time zone.
    let cron: CronExpression
    /// The `metric_calculation_log.calculation_type`s its runs write, the one that shows the entry
    /// completed first (used to tell whether a fire time was missed while no daemon ran).
    let logTypes: [String]
    /// The work, for the business date it is given.
    let work: @Sendable (DaemonContext, CalendarDate) async throws -> JobCounts

    /// The calculation type whose Completed row shows that the entry ran.
    var completionLogType: String { logTypes.first ?? name }
}
