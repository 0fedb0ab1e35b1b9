/// Byte-order (C collation) comparison of strings, the only ordering the service uses for ids and
/// names: locale-independent and identical to PostgreSQL's `COLLATE "C"`.
public enum ByteOrder {
    /// True when `lhs` sorts before `rhs` by their UTF-8 bytes.
    @inlinable
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// The strings sorted by their UTF-8 bytes.
    public static func sorted(_ values: some Sequence<String>) -> [String] {
        values.sorted(by: precedes)
    }
}
