/// One field of a cron expression: the set of values it allows.
public struct CronField: Sendable, Hashable {
    /// Which of the five fields this is, with its range and names.
    public enum Kind: Int, Sendable, CaseIterable {
        case minute, hour, dayOfMonth, month, dayOfWeek

        /// The field's name in messages.
        public var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        /// The values a field may name (day-of-week also accepts 7 for Sunday).
        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// Three-letter names (case-insensitive) for months and days of the week.
        var names: [String: Int] {
            switch self {
            case .month:
                ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                 "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
            case .dayOfWeek:
                ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
            default:
                [:]
            }
        }
    }

    /// Bit `v` is set when value `v` is allowed (day-of-week 7 is stored as 0).
    public private(set) var bits: UInt64
    /// True when the field's text starts with `*` (`*`, `*/5`). Vixie cron's rule for the two day
    /// fields looks at this, not at the values: such a day field does not restrict the other.
    public private(set) var isStar: Bool

    /// True when `value` is allowed.
    public func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
    }

    /// The smallest allowed value `>= value` and `<= limit`, if any.
    public func first(from value: Int, through limit: Int) -> Int? {
        guard value <= limit else { return nil }
        for v in max(value, 0)...limit where contains(v) { return v }
        return nil
    }

    /// The allowed values in increasing order.
    public var values: [Int] { (0..<64).filter { contains($0) } }

    /// Parses one field: a comma-separated list of `*`, `N`, `N-M`, each optionally followed by
    /// `/STEP` (`N/STEP` means from N to the field's end), with month and weekday names allowed.
    public init(parsing text: Substring, as kind: Kind) throws(CronExpressionError) {
        func fail(_ why: String) -> CronExpressionError {
            CronExpressionError("\(kind.name) field '\(text)': \(why)")
        }
        guard !text.isEmpty else { throw fail("is empty") }
        bits = 0
        isStar = text.first == "*"
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("has an empty list item") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw fail("'\(item)' has more than one '/'") }
            var step = 1
            if parts.count == 2 {
                guard let s = Int(parts[1]), s >= 1, s <= kind.range.count else {
                    throw fail("step '\(parts[1])' must be a whole number from 1 to \(kind.range.count)")
                }
                step = s
            }
            let lower: Int
            var upper: Int
            let base = parts[0]
            if base == "*" {
                lower = kind.range.lowerBound
                upper = kind == .dayOfWeek ? 6 : kind.range.upperBound
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw fail("'\(base)' is not a value or a range") }
                lower = try Self.value(bounds[0], kind, fail)
                if bounds.count == 2 {
                    upper = try Self.value(bounds[1], kind, fail)
                    guard lower <= upper else { throw fail("range \(base) runs backwards") }
                } else {
                    // `N/STEP` runs from N to the end of the field; a lone `N` is just N.
                    upper = parts.count == 2 ? (kind == .dayOfWeek ? 6 : kind.range.upperBound) : lower
                }
            }
            var selected = false
            for v in stride(from: lower, through: upper, by: step) {
                let stored = kind == .dayOfWeek && v == 7 ? 0 : v
                bits |= 1 << UInt64(stored)
                selected = true
            }
            guard selected else { throw fail("'\(item)' selects no value") }
        }
    }

    private static func value(_ text: Substring, _ kind: Kind, _ fail: (String) -> CronExpressionError) throws(CronExpressionError) -> Int {
        if let named = kind.names[text.lowercased()] { return named }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(text) else {
            throw fail("'\(text)' is not a number\(kind.names.isEmpty ? "" : " or a name")")
        }
        guard kind.range.contains(v) else {
            throw fail("\(v) is outside \(kind.range.lowerBound)-\(kind.range.upperBound)")
        }
        return v
    }
}
