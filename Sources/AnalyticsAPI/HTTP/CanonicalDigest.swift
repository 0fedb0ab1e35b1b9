import Crypto

/// A SHA-256 over an unambiguous encoding of tagged parts: each string carries its UTF-8 length,
/// each list its count, and "no list" is distinct from an empty one, so two different inputs never
/// encode alike (what a joined string with separators cannot promise). Used where a digest stands
/// for a request: cache keys (`CacheKey`) and idempotent requests (`AuditController.requestHash`).
struct CanonicalDigest {
    private var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(128)
    }

    /// Appends a tagged string.
    mutating func string(_ tag: Character, _ text: String) {
        bytes.append(tag.asciiValue ?? 0)
        appendString(text)
    }

    /// Appends a tagged list of strings, or the mark of "no list" for nil.
    mutating func list(_ tag: Character, _ items: [String]?) {
        bytes.append(tag.asciiValue ?? 0)
        guard let items else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        appendCount(items.count)
        for item in items { appendString(item) }
    }

    /// The bytes hashed so far (for tests of the encoding itself).
    var encoding: [UInt8] { bytes }

    /// The SHA-256 of the encoding.
    var digest: [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// `digest` in lower-case hex.
    static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func appendCount(_ value: Int) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).bigEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func appendString(_ text: String) {
        appendCount(text.utf8.count)
        bytes.append(contentsOf: text.utf8)
    }
}
