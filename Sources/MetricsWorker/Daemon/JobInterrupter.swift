import AnalyticsStore

/// Stops the statements of the jobs this daemon runs, when the shutdown grace period is over.
protocol JobInterrupter: Sendable {
    /// Cancels the statements the daemon's job connections are running, so the job fails the way
    /// it does on any database error (its log row ends Failed, its lock is released); returns how
    /// many statements were cancelled.
    func interruptJobs() async -> Int
}

/// Cancels, with `pg_cancel_backend`, the active statements of the sessions whose
/// `application_name` is this daemon's own (unique per process), from a connection of the
/// control pool (not the job pool, whose connections the job may all hold).
struct PostgresJobInterrupter: JobInterrupter {
    let pool: PostgresPool
    /// The job pool's `application_name`.
    let applicationName: String

    func interruptJobs() async -> Int {
        let cancelled = try? await pool.query("""
            SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) AS cancelled FROM pg_stat_activity
            WHERE application_name = $1 AND pid <> pg_backend_pid() AND state = 'active'
            """, [applicationName])
        return (try? cancelled?.first?.decode(Int.self, "cancelled")) ?? 0
    }
}
