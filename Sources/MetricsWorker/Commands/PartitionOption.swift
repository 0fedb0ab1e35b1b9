import ArgumentParser

/// `--partition K/N`, offered only by the jobs that read the loans and can split them over pods
/// (`refresh-loans`, `calculate-officer-metrics`, `capture-par15-snapshot`, `full-refresh`); the
/// others have no such option, so ArgumentParser rejects it (exit 64) instead of ignoring it.
struct PartitionOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Handle the loans whose PostgreSQL hashtextextended(loan_id, 0), mod N, is K (0 <= K < N <= 10000); the last partition of the date to complete writes the officer rows. 0/1 is every loan.",
        valueName: "K/N"))
    var partition: Partition = .all
}
