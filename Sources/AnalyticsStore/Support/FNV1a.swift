/// FNV-1a, 64-bit: a stable hash (the same in every process, unlike `hashValue`).
///
/// Used for partitioning officers across worker pods (`--partition K/N`) and for checksums.
public enum FNV1a {
    /// The 64-bit FNV-1a hash of `bytes`.
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        hash64(continuing: offsetBasis, bytes)
    }

    /// The hash before any byte.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// `hash` (of the bytes so far) continued over `bytes`: hashing a text in pieces gives the
    /// hash of the whole text, without building it.
    public static func hash64(continuing hash: UInt64, _ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash64(_ text: String) -> UInt64 {
        hash64(text.utf8)
    }
}
