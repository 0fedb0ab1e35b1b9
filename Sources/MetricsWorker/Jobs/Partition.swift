/// `--partition K/N`: this run handles the loans whose PostgreSQL `hashtextextended(loan_id, 0)`,
/// sign bit cleared, mod N, is K (`LoanStream.inPartition`; schema 17). The condition is on each
/// row's own `loan_id`, so every stream of a partition is a scan sending 1/N of the rows, with no
/// join; an officer's loans are spread over the partitions, which write partial officer sums
/// (`OfficerPartialSums`) that the last partition to complete adds up. `0/1` is everything.
///
/// The hash is PostgreSQL's, computed by the server only: the one its hash indexes and hash
/// partitions rely on (the same on a server from one version to the next, never seeded per
/// process; only the server computes it, so the worker's platform does not matter).
struct Partition: Sendable, Hashable, CustomStringConvertible {
    let index: Int
    let count: Int

    static let all = Partition(index: 0, count: 1)

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `K/N` with `0 <= K < N`; nil otherwise.
    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 10_000, k >= 0, k < n else { return nil }
        self.init(index: k, count: n)
    }

    var isWhole: Bool { count == 1 }

    /// The partitions of the same N, this one included (`0/N` ... `N-1/N`).
    var siblings: [Partition] { (0..<count).map { Partition(index: $0, count: count) } }

    /// `K/N`, as recorded in `metric_calculation_log.partition_key`.
    var description: String { "\(index)/\(count)" }
}
