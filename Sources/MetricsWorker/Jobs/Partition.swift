import AnalyticsStore

/// `--partition K/N`: this run handles the officers whose FNV-1a 64-bit hash of the id's UTF-8
/// bytes, mod N, is K (all of an officer's loans together). `0/1` is everything.
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

    /// True when the officer belongs to this partition.
    func contains(officerID: String) -> Bool {
        count == 1 || Int(FNV1a.hash64(officerID) % UInt64(count)) == index
    }

    /// `K/N`, as recorded in `metric_calculation_log.partition_key`.
    var description: String { "\(index)/\(count)" }
}
