import AnalyticsStore
import Crypto

/// The key of one cached read, used by every cached route (officer list and detail, branches,
/// filter options, drilldowns) in Redis and in the in-process caches of finished bodies.
///
/// It is the SHA-256 of a canonical encoding in which every part is length-prefixed: the family,
/// the caller's role, the caller's scope (regions and branches, "no restriction" distinct from an
/// empty list), the resource parts (an officer id, a drilldown kind) and the decoded query
/// parameters in name order. Two different reads therefore never share a key, whatever bytes their
/// values hold (`&`, `=`, `:`, `|` included): a parameter whose value spells out another query
/// cannot land on that query's entry. Role and scope are always in it (API.md "Caching").
struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    /// The key family (the `{family}` part of the Redis key, and the label of the cache counters).
    let family: CacheNamespace.Family
    /// The SHA-256 of the canonical encoding.
    let digest: [UInt8]

    /// The key of a read of `family` by a caller with `role` and `scope`, of the resource named by
    /// `resource`, with the query `parameters` (decoded names and values, any order).
    init(_ family: CacheNamespace.Family, role: Role, scope: AccessScope, resource: [String] = [],
         parameters: [(name: String, value: String)] = []) {
        self.family = family
        let encoding = Self.canonicalEncoding(family: family, role: role, scope: scope, resource: resource, parameters: parameters)
        digest = Array(SHA256.hash(data: encoding))
    }

    /// `family:hex digest`: the in-process caches' key and the last part of the Redis key.
    var description: String { family.rawValue + ":" + hex }

    /// The digest in lower-case hex.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The first 64 bits of the digest (a drilldown cursor's filter hash).
    var hash64: UInt64 {
        digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The Redis key of this entry under `generation`.
    func redisKey(generation: Int64) -> String {
        CacheNamespace.key(generation: generation, family: family, [hex])
    }

    /// The bytes that are hashed. Injective: each section starts with its own tag byte, lists carry
    /// their count, and every string its UTF-8 length, so no two distinct inputs encode alike.
    static func canonicalEncoding(family: CacheNamespace.Family, role: Role, scope: AccessScope, resource: [String],
                                  parameters: [(name: String, value: String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        func number(_ value: Int) {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).bigEndian) { bytes.append(contentsOf: $0) }
        }
        func string(_ text: String) {
            number(text.utf8.count)
            bytes.append(contentsOf: text.utf8)
        }
        func list(_ tag: Character, _ items: [String]?) {
            bytes.append(tag.asciiValue ?? 0)
            guard let items else {
                bytes.append(0) // no restriction
                return
            }
            bytes.append(1)
            number(items.count)
            for item in items { string(item) }
        }
        bytes.append(UInt8(ascii: "F"))
        string(family.rawValue)
        bytes.append(UInt8(ascii: "O"))
        string(role.rawValue)
        list("R", scope.regions)
        list("B", scope.branches)
        list("P", resource)
        let sorted = parameters.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        list("Q", sorted.flatMap { [$0.name, $0.value] })
        return bytes
    }
}
