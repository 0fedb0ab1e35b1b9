import AnalyticsCore
import Foundation
import Hummingbird

/// The query string of one request, checked against the parameters a route accepts.
///
/// Any parameter the route does not name is a 400 (API.md: catches typos like `brnach`), and so is a
/// parameter given twice. Accessors throw `APIError` 400s naming the parameter and what it accepts.
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    /// Parses `request`'s query, allowing only `allowed`.
    init(_ request: Request, allowed: Set<String>) throws(APIError) {
        if let raw = request.uri.query, !Self.isText(raw) {
            throw APIError.badParameter("query", "must be UTF-8 text once percent-decoded, without NUL characters")
        }
        for (rawKey, value) in request.uri.queryParameters {
            let key = String(rawKey).removingPercentEncoding ?? String(rawKey)
            guard allowed.contains(key) else {
                let list = allowed.sorted().joined(separator: ", ")
                throw APIError.badParameter(key, "is not a parameter of this endpoint (allowed: \(list.isEmpty ? "none" : list))")
            }
            guard values[key] == nil else { throw APIError.badParameter(key, "is given more than once") }
            values[key] = String(value)
        }
    }

    /// True when the percent-decoded bytes of `raw` are valid UTF-8 without NUL (the decoder would
    /// otherwise turn bad bytes into replacement characters, and PostgreSQL text cannot hold NUL).
    static func isText(_ raw: String) -> Bool {
        guard raw.utf8.contains(UInt8(ascii: "%")) else { return true }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next() else { bytes.append(byte); break }
            guard let low = iterator.next() else { bytes.append(contentsOf: [byte, high]); break }
            if let h = hex(high), let l = hex(low) {
                bytes.append(h << 4 | l)
            } else {
                bytes.append(contentsOf: [byte, high, low])
            }
        }
        return !bytes.contains(0) && String(validating: bytes, as: UTF8.self) != nil
    }

    /// The raw value, or nil when absent. An empty value counts as absent.
    func string(_ name: String, maxLength: Int = 200) throws(APIError) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        guard value.utf8.count <= maxLength else { throw APIError.badParameter(name, "is longer than \(maxLength) bytes") }
        return value
    }

    /// A `YYYY-MM-DD` date, or nil.
    func date(_ name: String) throws(APIError) -> CalendarDate? {
        guard let text = try string(name) else { return nil }
        guard text.utf8.count == 10, let date = CalendarDate(iso: text) else {
            throw APIError.badParameter(name, "must be a calendar date YYYY-MM-DD, got '\(text.prefix(40))'")
        }
        return date
    }

    /// A whole number in `range`, or `defaultValue`.
    func integer(_ name: String, default defaultValue: Int, _ range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = try string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badParameter(name, "must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text.prefix(40))'")
        }
        return value
    }

    /// `true` or `false`, or nil.
    func bool(_ name: String) throws(APIError) -> Bool? {
        guard let text = try string(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw APIError.badParameter(name, "must be true or false, got '\(text.prefix(40))'")
        }
    }

    /// One of `allowed`, or nil.
    func choice(_ name: String, _ allowed: [String]) throws(APIError) -> String? {
        guard let text = try string(name) else { return nil }
        guard allowed.contains(text) else {
            throw APIError.badParameter(name, "must be one of \(allowed.joined(separator: ", ")), got '\(text.prefix(40))'")
        }
        return text
    }

    /// A comma-separated list, or nil.
    func list(_ name: String) throws(APIError) -> [String]? {
        guard let text = try string(name, maxLength: 2000) else { return nil }
        return text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
    }

    /// The parameters and their values in key order, for a cache key.
    var normalized: String {
        values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }
}
