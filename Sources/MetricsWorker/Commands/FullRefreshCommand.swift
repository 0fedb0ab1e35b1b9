import ArgumentParser

/// `metrics-worker full-refresh`: every daily job of D in order.
struct FullRefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "full-refresh",
        abstract: "refresh-loans, officer metrics, the PAR15 snapshot when D is the 15th, and branch metrics, in order.")
    @OptionGroup var asOf: AsOfOption
    @OptionGroup var partition: PartitionOption

    func run() async throws {
        try await JobCommand.execute(JobRequest(name: "full-refresh", asOf: asOf.asOf, partition: partition.partition,
                                                writesLoanStates: true)) {
            try await MetricJobs.fullRefresh($0)
        }
    }
}
