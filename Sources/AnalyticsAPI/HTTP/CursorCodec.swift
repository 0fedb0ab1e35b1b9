import AnalyticsCore
import Crypto
import Foundation

/// A keyset position in a drilldown: the calculation date it started on, a hash of the filters it
/// belongs to, and the last loan id served.
struct DrilldownCursor: Sendable, Equatable {
    var asOf: CalendarDate
    var filterHash: UInt64
    var afterLoanID: String
}

/// Makes cursors opaque and tamper-evident: base64url of the position plus an HMAC-SHA256 tag with a
/// server key. Any change to a cursor is a 400.
struct CursorCodec: Sendable {
    private let key: SymmetricKey

    /// `secret` is the server's signing secret; cursors made with another secret do not verify.
    init(secret: String) {
        key = SymmetricKey(data: SHA256.hash(data: Data(("drilldown-cursor:" + secret).utf8)))
    }

    /// The opaque text of `cursor`.
    func encode(_ cursor: DrilldownCursor) -> String {
        let payload = Data("v1|\(cursor.asOf)|\(String(cursor.filterHash, radix: 16))|\(cursor.afterLoanID)".utf8)
        let tag = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(16)
        return Self.base64url(payload) + "." + Self.base64url(tag)
    }

    /// The cursor in `text`; throws a 400 when it is malformed or was altered.
    func decode(_ text: String) throws(APIError) -> DrilldownCursor {
        let invalid = APIError.badParameter("cursor", "is not a cursor this API issued (it may have been altered)")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.unbase64url(parts[0]), let tag = Self.unbase64url(parts[1]),
              tag.count == 16 else { throw invalid }
        let expected = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key)).prefix(16)
        guard Self.constantTimeEqual(expected, tag) else { throw invalid }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "v1", let asOf = CalendarDate(iso: fields[1]),
              let hash = UInt64(fields[2], radix: 16) else { throw invalid }
        return DrilldownCursor(asOf: asOf, filterHash: hash, afterLoanID: String(fields[3]))
    }

    private static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64url(_ text: Substring) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    private static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
