import ArgumentParser

/// `--partition` parses `K/N` with `Partition(_:)`; the default shows as `0/1` (its description).
extension Partition: ExpressibleByArgument {
    init?(argument: String) {
        self.init(argument)
    }
}
