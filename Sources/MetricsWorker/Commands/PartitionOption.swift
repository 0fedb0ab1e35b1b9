import ArgumentParser

/// `--partition K/N`, offered only by the jobs that split their work by officer
/// (`refresh-loans`, `calculate-officer-metrics`, `capture-par15-snapshot`, `full-refresh`); the
/// others have no such option, so ArgumentParser rejects it (exit 64) instead of ignoring it.
struct PartitionOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Handle the officers whose FNV-1a hash of the id, mod N, is K (0 <= K < N <= 10000); 0/1 is every officer.",
        valueName: "K/N"))
    var partition: Partition = .all
}
