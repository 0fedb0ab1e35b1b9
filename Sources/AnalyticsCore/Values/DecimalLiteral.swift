/// A decimal number literal parsed exactly: `-12.340e1` is `-12340 × 10^-2`.
///
/// Used to read money and ratios from JSON, CSV and PostgreSQL text without passing through binary
/// floating point.
public struct DecimalLiteral: Hashable, Sendable {
    /// True for a leading minus sign (also on zero).
    public var isNegative: Bool
    /// All significant digits, without leading zeros (empty for zero).
    public var digits: [UInt8]
    /// The power of ten that `digits` is multiplied by.
    public var exponent: Int

    /// Parses `[-+]?digits[.digits]?([eE][-+]?digits)?`. At least one digit is required before or after
    /// the point. Returns nil on anything else (spaces, `nan`, `1.`, an empty string).
    public init?(_ text: some StringProtocol) {
        var utf8 = Array(text.utf8)[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        var digits: [UInt8] = []
        var exponent = 0
        var sawDigit = false
        while let c = utf8.first, c >= 48, c <= 57 {
            sawDigit = true
            if !(digits.isEmpty && c == 48) { digits.append(c - 48) }
            utf8 = utf8.dropFirst()
        }
        if utf8.first == UInt8(ascii: ".") {
            utf8 = utf8.dropFirst()
            var sawFraction = false
            while let c = utf8.first, c >= 48, c <= 57 {
                sawFraction = true
                if !(digits.isEmpty && c == 48) { digits.append(c - 48) }
                exponent -= 1
                utf8 = utf8.dropFirst()
            }
            guard sawFraction else { return nil }
            sawDigit = true
        }
        guard sawDigit else { return nil }
        if let e = utf8.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            utf8 = utf8.dropFirst()
            var expNegative = false
            if let s = utf8.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") {
                expNegative = s == UInt8(ascii: "-")
                utf8 = utf8.dropFirst()
            }
            var value = 0
            var sawExpDigit = false
            while let c = utf8.first, c >= 48, c <= 57 {
                sawExpDigit = true
                value = min(value * 10 + Int(c - 48), 100_000)
                utf8 = utf8.dropFirst()
            }
            guard sawExpDigit else { return nil }
            exponent += expNegative ? -value : value
        }
        guard utf8.isEmpty else { return nil }
        // Normalise: trailing zeros of the digit string move into the exponent.
        while let last = digits.last, last == 0 {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { exponent = 0 }
        self.isNegative = negative
        self.digits = digits
        self.exponent = exponent
    }

    /// The value `±digits × 10^exponent` from its parts (`digits`: decimal digits 0-9, most
    /// significant first), normalised as the parser normalises: no leading or trailing zeros kept.
    /// Nil when an element is not a digit.
    public init?(isNegative: Bool, digits: [UInt8], exponent: Int) {
        guard digits.allSatisfy({ $0 <= 9 }) else { return nil }
        var digits = digits[...]
        var exponent = exponent
        while let first = digits.first, first == 0 { digits = digits.dropFirst() }
        while let last = digits.last, last == 0 {
            digits = digits.dropLast()
            exponent += 1
        }
        if digits.isEmpty { exponent = 0 }
        self.isNegative = isNegative
        self.digits = Array(digits)
        self.exponent = exponent
    }

    /// True when the value is zero.
    public var isZero: Bool { digits.isEmpty }

    /// The value as an integer count of `10^-places`, or nil when it has a non-zero digit beyond
    /// `places` decimals or does not fit in `Int64`.
    public func scaled(toPlaces places: Int) -> Int64? {
        if digits.isEmpty { return 0 }
        let shift = exponent + places
        guard shift >= 0, digits.count + shift <= 19 else { return nil }
        var value: Int64 = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            value = a
        }
        for _ in 0..<shift {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            value = m
        }
        return isNegative ? -value : value
    }
}
