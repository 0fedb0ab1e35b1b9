/// A non-integer ratio stored with exactly four decimal places (ten-thousandths), as in the
/// `NUMERIC(24,4)` ratio columns: `0.3659`, `1.8561`, `12.3457`.
///
/// Values are produced from exact sums by ``init(numerator:denominator:)``, which rounds half away
/// from zero on the exact quotient (never through binary floating point). A ratio whose denominator
/// is zero is undefined: callers carry `Ratio4?` and write SQL `NULL`/JSON `null` for nil.
public struct Ratio4: Hashable, Comparable, Sendable {
    /// The value in ten-thousandths (`3659` is `0.3659`).
    public var scaled: Int64

    /// Creates a ratio from a count of ten-thousandths.
    @inlinable
    public init(scaled: Int64) {
        self.scaled = scaled
    }

    /// The exact quotient `numerator / denominator` rounded half away from zero to four places;
    /// nil when the denominator is zero or the result does not fit in `Int64` ten-thousandths.
    public init?(numerator: Int64, denominator: Int64) {
        self.init(wideNumerator: Int128(numerator), wideDenominator: Int128(denominator))
    }

    /// The exact quotient of two 128-bit integers rounded half away from zero to four places; nil
    /// when the denominator is zero or the result overflows.
    public init?(wideNumerator numerator: Int128, wideDenominator denominator: Int128) {
        guard denominator != 0 else { return nil }
        // |numerator| * 10_000 must not overflow Int128; money sums are far below that bound.
        let (scaledNumerator, overflow) = numerator.multipliedReportingOverflow(by: 10_000)
        guard !overflow else { return nil }
        let quotient = Ratio4.roundedQuotient(scaledNumerator, denominator)
        guard let value = Int64(exactly: quotient) else { return nil }
        self.scaled = value
    }

    /// The ratio of two money sums (`overdue / portfolio`); nil when `denominator` is zero.
    public init?(_ numerator: Money, over denominator: Money) {
        self.init(numerator: numerator.minorUnits, denominator: denominator.minorUnits)
    }

    /// The ratio of two counts; nil when `denominator` is zero.
    public init?(_ numerator: Int, over denominator: Int) {
        self.init(numerator: Int64(numerator), denominator: Int64(denominator))
    }

    /// Parses a decimal literal with at most four decimals exactly (`"0.1550"`, `"0.1"`); nil for
    /// anything else, including a non-zero fifth decimal.
    public init?(exactly text: some StringProtocol) {
        guard let literal = DecimalLiteral(text), let value = literal.scaled(toPlaces: 4) else { return nil }
        self.scaled = value
    }

    /// `n / d` rounded half away from zero; `d` must not be zero.
    @inlinable
    public static func roundedQuotient(_ n: Int128, _ d: Int128) -> Int128 {
        let q = n / d
        let r = n % d
        // Compare 2|r| with |d| without overflow: |r| < |d| so |r| <= |d| - |r| decides.
        let absR = r.magnitude
        let absD = d.magnitude
        guard absR >= absD - absR else { return q }
        return (n < 0) != (d < 0) ? q - 1 : q + 1
    }

    /// Orders ratios by value.
    @inlinable
    public static func < (lhs: Ratio4, rhs: Ratio4) -> Bool { lhs.scaled < rhs.scaled }
}

extension Ratio4: CustomStringConvertible {
    /// The value with exactly four decimals, e.g. `"0.3659"`, `"12.0000"`, `"-0.0001"`.
    public var description: String {
        let magnitude = scaled.magnitude
        let whole = magnitude / 10_000
        let fraction = String(magnitude % 10_000)
        let padded = String(repeating: "0", count: 4 - fraction.count) + fraction
        return "\(scaled < 0 ? "-" : "")\(whole).\(padded)"
    }
}
