import AnalyticsCore
import AnalyticsStore
import ArgumentParser
import Foundation

/// Runs a metric job the way every job command does: set up, run, print one summary line, map
/// failures to the documented exit codes (75 skipped, 69 database unreachable, 1 failed).
enum JobCommand {
    static func execute(_ name: String, options: JobOptions, wholeOnly: Bool = false,
                        _ job: @Sendable (JobContext) async throws -> JobCounts) async throws {
        try await WorkerRuntime.with(label: "metrics-worker.\(name)") { runtime in
            let date: CalendarDate
            do {
                date = try options.date(timeZone: runtime.configuration.timeZone)
            } catch {
                FileHandle.standardError.write(Data("metrics-worker: \(error)\n".utf8))
                throw ExitCode.usage
            }
            let partition = wholeOnly ? .all : options.parsedPartition
            let context = JobContext(pool: runtime.pool, runner: runtime.runner, asOf: date, partition: partition,
                                     options: runtime.configuration.metricsOptions)
            do {
                let counts = try await job(context)
                print("\(name): \(date) partition \(partition): processed \(counts.processed), updated \(counts.updated)")
            } catch let skipped as JobSkipped {
                FileHandle.standardError.write(Data("metrics-worker: \(skipped.message)\n".utf8))
                throw ExitCode.tryLater
            } catch {
                throw runtime.fail(error, doing: name)
            }
        }
    }
}

struct RefreshLoansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh-loans",
        abstract: "Compute every loan's state as of D into the computed columns of loans (and dpd_transitions).")
    @OptionGroup var options: JobOptions
    @Flag(name: .long, help: "Only loans whose source data changed since the last refresh.")
    var changedOnly = false

    func run() async throws {
        let changedOnly = self.changedOnly
        try await JobCommand.execute("refresh-loans", options: options) { try await MetricJobs.refreshLoans($0, changedOnly: changedOnly) }
    }
}

struct OfficerMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calculate-officer-metrics",
        abstract: "Compute the officer rows of D (METRICS.md sections 4 and 5) into officer_metrics_daily.")
    @OptionGroup var options: JobOptions

    func run() async throws {
        try await JobCommand.execute("calculate-officer-metrics", options: options) { try await MetricJobs.officerMetrics($0) }
    }
}

struct BranchMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calculate-branch-metrics",
        abstract: "Aggregate the officer rows of D into branch_metrics_daily (refuses while they are incomplete).")
    @OptionGroup var options: JobOptions

    func run() async throws {
        try await JobCommand.execute("calculate-branch-metrics", options: options, wholeOnly: true) { try await MetricJobs.branchMetrics($0) }
    }
}

struct Par15SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture-par15-snapshot",
        abstract: "Record each officer's PAR15 exposure and count as of D in par15_snapshots.")
    @OptionGroup var options: JobOptions

    func run() async throws {
        try await JobCommand.execute("capture-par15-snapshot", options: options) { try await MetricJobs.par15Snapshot($0) }
    }
}

struct FullRefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "full-refresh",
        abstract: "refresh-loans, officer metrics, the PAR15 snapshot when D is the 15th, and branch metrics, in order.")
    @OptionGroup var options: JobOptions

    func run() async throws {
        try await JobCommand.execute("full-refresh", options: options) { try await MetricJobs.fullRefresh($0) }
    }
}

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-old-data",
        abstract: "Move metric rows older than D minus --keep-days into the *_archive tables.")
    @OptionGroup var options: JobOptions
    @Option(name: .long, help: "Days of history to keep in the live tables.")
    var keepDays = 400

    func validate() throws {
        guard keepDays >= 1 else { throw ValidationError("--keep-days must be at least 1") }
    }

    func run() async throws {
        let keepDays = self.keepDays
        try await JobCommand.execute("archive-old-data", options: options, wholeOnly: true) { try await MetricJobs.archive($0, keepDays: keepDays) }
    }
}
