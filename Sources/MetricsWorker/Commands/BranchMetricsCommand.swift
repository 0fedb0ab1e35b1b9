import ArgumentParser

/// `metrics-worker calculate-branch-metrics`: the branch rows of D, from all of D's officer rows
/// (so it has no `--partition`).
struct BranchMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calculate-branch-metrics",
        abstract: "Aggregate the officer rows of D into branch_metrics_daily (refuses while they are incomplete).")
    @OptionGroup var asOf: AsOfOption

    func run() async throws {
        try await JobCommand.execute(JobRequest(name: "calculate-branch-metrics", asOf: asOf.asOf)) {
            try await MetricJobs.branchMetrics($0)
        }
    }
}
