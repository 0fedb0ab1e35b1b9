import ArgumentParser

/// `metrics-worker refresh-loans`: every loan's state as of D.
struct RefreshLoansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh-loans",
        abstract: "Compute every loan's state as of D into loan_states (and dpd_transitions).")
    @OptionGroup var asOf: AsOfOption
    @OptionGroup var partition: PartitionOption
    @Flag(name: .long, help: "Only the loans whose stored state does not hold at D (input or officer changed, or valid only through an earlier date).")
    var changedOnly = false

    func run() async throws {
        let changedOnly = self.changedOnly
        try await JobCommand.execute(JobRequest(name: "refresh-loans", asOf: asOf.asOf, partition: partition.partition,
                                                writesLoanStates: true)) {
            try await MetricJobs.refreshLoans($0, changedOnly: changedOnly)
        }
    }
}
