import ArgumentParser

/// `metrics-worker capture-par15-snapshot`: each officer's PAR15 exposure as of D.
struct Par15SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture-par15-snapshot",
        abstract: "Record each officer's PAR15 exposure and count as of D in par15_snapshots.")
    @OptionGroup var asOf: AsOfOption
    @OptionGroup var partition: PartitionOption

    func run() async throws {
        try await JobCommand.execute(JobRequest(name: "capture-par15-snapshot", asOf: asOf.asOf,
                                                partition: partition.partition)) {
            try await MetricJobs.par15Snapshot($0)
        }
    }
}
