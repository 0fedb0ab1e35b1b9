/// A cached read: the rendered `meta` object and the rendered rows, in a compact length-prefixed
/// binary form (a Redis value and an in-process entry are the same bytes).
struct CachedPage: Sendable, Equatable {
    var meta: [UInt8]
    var rows: [RenderedRow]

    /// The bytes stored in the cache.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(meta.count + rows.reduce(0) { $0 + $1.fragment.count + $1.id.utf8.count + 8 } + 8)
        Self.append(meta, to: &out)
        for row in rows {
            Self.append(Array(row.id.utf8), to: &out)
            Self.append(row.fragment, to: &out)
        }
        return out
    }

    /// Decodes `encoded()` output; nil when the bytes are not a page. The cache only ever holds
    /// `encoded()` output, so nil means a bug or a corrupted entry: callers answer 500 (the error
    /// is logged with the request id) rather than serve or silently replace it.
    init?(decoding bytes: [UInt8]) {
        var index = 0
        func next() -> [UInt8]? {
            guard index + 4 <= bytes.count else { return nil }
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            index += 4
            guard index + length <= bytes.count else { return nil }
            defer { index += length }
            return Array(bytes[index..<(index + length)])
        }
        guard let meta = next() else { return nil }
        var rows: [RenderedRow] = []
        while index < bytes.count {
            guard let id = next(), let fragment = next() else { return nil }
            rows.append(RenderedRow(id: String(decoding: id, as: UTF8.self), fragment: fragment))
        }
        self.meta = meta
        self.rows = rows
    }

    init(meta: [UInt8], rows: [RenderedRow]) {
        self.meta = meta
        self.rows = rows
    }

    private static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        let n = bytes.count
        out += [UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        out += bytes
    }
}
