import ArgumentParser

/// `metrics-worker calculate-officer-metrics`: the officer rows of D.
struct OfficerMetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calculate-officer-metrics",
        abstract: "Compute the officer rows of D (METRICS.md sections 4 and 5) into officer_metrics_daily.")
    @OptionGroup var asOf: AsOfOption
    @OptionGroup var partition: PartitionOption

    func run() async throws {
        try await JobCommand.execute(JobRequest(name: "calculate-officer-metrics", asOf: asOf.asOf,
                                                partition: partition.partition)) {
            try await MetricJobs.officerMetrics($0)
        }
    }
}
