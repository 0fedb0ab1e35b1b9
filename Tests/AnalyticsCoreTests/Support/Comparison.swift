import Testing
import AnalyticsCore

/// Field-by-field comparison of an output with an expected fixture object. Every key of the
/// expected object except `_aux*` is compared; a mismatch names the context (loan/officer,
/// date) and the field path.
enum Comparison {
    /// Returns one line per mismatch.
    static func mismatches(expected: JSONValue, actual: JSONValue, path: String) -> [String] {
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            var out: [String] = []
            for key in e.keys where !key.hasPrefix("_aux") {
                guard let ev = e[key] else { continue }
                guard let av = a[key] else {
                    out.append("\(path).\(key): missing (expected \(render(ev)))")
                    continue
                }
                out += mismatches(expected: ev, actual: av, path: "\(path).\(key)")
            }
            return out
        case (.array(let e), .array(let a)):
            guard e.count == a.count else {
                return ["\(path): expected \(e.count) elements, got \(a.count)"]
            }
            return zip(e, a).enumerated().flatMap { i, pair in
                mismatches(expected: pair.0, actual: pair.1, path: "\(path)[\(i)]")
            }
        default:
            return expected == actual ? [] : ["\(path): expected \(render(expected)), got \(render(actual))"]
        }
    }

    static func render(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .number(let n): return n
        case .string(let s): return "\"\(s)\""
        case .array(let a): return "[\(a.count) elements]"
        case .object: return "{...}"
        }
    }

    /// Records an issue per mismatch.
    static func expectEqual(
        expected: JSONValue, actual: [String: JSONValue], context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let problems = mismatches(expected: expected, actual: .object(Rendering.object(actual)), path: context)
        for problem in problems {
            Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation)
        }
    }
}
