import ArgumentParser

/// `metrics-worker archive-old-data`: moves old metric rows to the archive tables (whole tables,
/// so it has no `--partition`).
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-old-data",
        abstract: "Move metric rows older than D minus --keep-days into the *_archive tables.")
    @OptionGroup var asOf: AsOfOption
    /// Days of history kept when `--keep-days` is not given (the daemon's schedule uses it too).
    static let defaultKeepDays = 400

    @Option(name: .long, help: "Days of history to keep in the live tables.")
    var keepDays = ArchiveCommand.defaultKeepDays

    func validate() throws {
        guard keepDays >= 1 else { throw ValidationError("--keep-days must be at least 1") }
    }

    func run() async throws {
        let keepDays = self.keepDays
        try await JobCommand.execute(JobRequest(name: "archive-old-data", asOf: asOf.asOf)) {
            try await MetricJobs.archive($0, keepDays: keepDays)
        }
    }
}
