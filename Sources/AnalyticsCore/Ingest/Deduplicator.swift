/// Keeps the last record per id, in order of first appearance.
struct Deduplicator<R> {
    private(set) var records: [R] = []
    private var index: [String: Int] = [:]

    /// Adds a record; returns true when it replaced an earlier one with the same id.
    mutating func insert(_ record: R, id: String) -> Bool {
        if let existing = index[id] {
            records[existing] = record
            return true
        }
        index[id] = records.count
        records.append(record)
        return false
    }
}
