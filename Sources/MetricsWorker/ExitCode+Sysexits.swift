import ArgumentParser

/// Exit codes of `metrics-worker` (sysexits), as ARCHITECTURE.md lists them.
extension ExitCode {
    /// The job failed.
    static let jobFailed = ExitCode(1)
    /// Bad usage (bad option or setting).
    static let usage = ExitCode(64)
    /// The input had rejected records (the valid ones were loaded).
    static let dataRejected = ExitCode(65)
    /// The database is unreachable.
    static let databaseUnavailable = ExitCode(69)
    /// Skipped, try later: the lock is held by another copy, or prerequisites are incomplete.
    static let tryLater = ExitCode(75)
}
