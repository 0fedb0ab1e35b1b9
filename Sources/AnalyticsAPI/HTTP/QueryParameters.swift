import AnalyticsCore
import Foundation
import Hummingbird

/// The query string of one request, checked against the parameters a route accepts.
///
/// Any parameter the route does not name is a 400 (API.md: catches typos like `brnach`), and so is a
/// parameter given twice. Accessors throw `APIError` 400s naming the parameter and what it accepts.
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    /// Parses `request`'s query as `application/x-www-form-urlencoded` (API.md "Query strings"):
    /// `+` is a space and `%2B` a plus, as browsers' `URLSearchParams`, HTML forms and most HTTP
    /// clients write them. Only `allowed` parameters are accepted.
    init(_ request: Request, allowed: Set<String>) throws(APIError) {
        try self.init(query: request.uri.query, allowed: allowed)
    }

    /// Parses a raw (still encoded) query string; see `init(_:allowed:)`.
    init(query raw: String?, allowed: Set<String>) throws(APIError) {
        guard let raw else { return }
        for field in raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = field.firstIndex(of: UInt8(ascii: "="))
            let rawKey = equals.map { field[..<$0] } ?? field[...]
            let rawValue = equals.map { field[field.index(after: $0)...] } ?? field[field.endIndex...]
            guard let key = Self.formDecoded(rawKey), let value = Self.formDecoded(rawValue) else {
                throw APIError.badParameter("query", "must be UTF-8 text once percent-decoded, without NUL characters")
            }
            guard allowed.contains(key) else {
                let list = allowed.sorted().joined(separator: ", ")
                throw APIError.badParameter(key, "is not a parameter of this endpoint (allowed: \(list.isEmpty ? "none" : list))")
            }
            guard values[key] == nil else { throw APIError.badParameter(key, "is given more than once") }
            values[key] = value
        }
    }

    /// Decodes one form-urlencoded key or value (`PercentDecoding`, `+` a space). Nil when the bytes
    /// are not UTF-8 or hold a NUL (the decoder would otherwise turn bad bytes into replacement
    /// characters, and PostgreSQL text cannot hold NUL).
    static func formDecoded(_ raw: Substring.UTF8View.SubSequence) -> String? {
        let bytes = PercentDecoding.bytes(raw, plusIsSpace: true)
        guard !bytes.contains(0) else { return nil }
        return String(validating: bytes, as: UTF8.self)
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

    /// The parameters and their decoded values in key order (for cache keys), without `excluded`.
    func pairs(excluding excluded: Set<String> = []) -> [(name: String, value: String)] {
        values.filter { !excluded.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
