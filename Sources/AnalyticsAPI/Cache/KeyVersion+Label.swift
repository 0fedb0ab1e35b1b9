extension KeyVersion {
    /// `value` as stored in Redis: a count byte, the tag versions (8 bytes each, big-endian), then
    /// the value, so a reader can tell the version an entry was loaded at.
    func labelled(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1 + tagVersions.count * 8 + value.count)
        out.append(UInt8(truncatingIfNeeded: tagVersions.count))
        for version in tagVersions {
            withUnsafeBytes(of: version.bigEndian) { out.append(contentsOf: $0) }
        }
        out += value
        return out
    }

    /// The value of a Redis entry if it was stored at exactly these tag versions, else nil (stored at
    /// another version, or not a labelled value at all: both are misses, and the entry is replaced).
    func value(ofLabelled bytes: [UInt8]) -> [UInt8]? {
        guard let count = bytes.first, Int(count) == tagVersions.count, tagVersions.count < 256,
              bytes.count >= 1 + tagVersions.count * 8 else { return nil }
        var index = 1
        for expected in tagVersions {
            let stored = bytes[index..<(index + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard Int64(bitPattern: stored) == expected else { return nil }
            index += 8
        }
        return Array(bytes[index...])
    }
}
