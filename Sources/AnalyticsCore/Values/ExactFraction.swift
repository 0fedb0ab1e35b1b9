/// An exact non-negative rational number over ``BigNat``, used for the officer scores (METRICS 5),
/// where a tie such as DQI `82.5` must round up exactly and binary floating point would not.
struct ExactFraction: Sendable {
    var numerator: BigNat
    var denominator: BigNat

    /// `numerator / denominator`; both non-negative and the denominator non-zero.
    init(_ numerator: Int64, _ denominator: Int64 = 1) {
        precondition(denominator > 0 && numerator >= 0, "ExactFraction is non-negative with a positive denominator")
        self.numerator = BigNat(numerator)
        self.denominator = BigNat(denominator)
    }

    init(numerator: BigNat, denominator: BigNat) {
        self.numerator = numerator
        self.denominator = denominator
    }

    static let zero = ExactFraction(0)
    static let one = ExactFraction(1)

    static func + (lhs: ExactFraction, rhs: ExactFraction) -> ExactFraction {
        ExactFraction(
            numerator: lhs.numerator * rhs.denominator + rhs.numerator * lhs.denominator,
            denominator: lhs.denominator * rhs.denominator
        )
    }

    static func * (lhs: ExactFraction, rhs: ExactFraction) -> ExactFraction {
        ExactFraction(numerator: lhs.numerator * rhs.numerator, denominator: lhs.denominator * rhs.denominator)
    }

    /// True when the value is greater than or equal to `other`.
    func isAtLeast(_ other: ExactFraction) -> Bool {
        !(numerator * other.denominator < other.numerator * denominator)
    }

    /// `c(x) = min(1, x)` (values are never negative here).
    var clampedToOne: ExactFraction {
        numerator > denominator ? .one : self
    }

    /// `1 - x` for `x` in `[0, 1]` (clamped first).
    var complement: ExactFraction {
        let x = clampedToOne
        return ExactFraction(numerator: x.denominator - x.numerator, denominator: x.denominator)
    }

    /// `other - self`, floored at zero.
    func subtracted(from other: ExactFraction) -> ExactFraction {
        let a = other.numerator * denominator
        let b = numerator * other.denominator
        guard a > b else { return .zero }
        return ExactFraction(numerator: a - b, denominator: other.denominator * denominator)
    }

    /// The value rounded half up (half away from zero, values being non-negative) to an integer in
    /// `0...limit`; values above `limit + 0.5` give `limit`.
    func roundedHalfUp(limit: Int) -> Int {
        // Largest k with k - 1/2 <= x, i.e. (2k - 1) * den <= 2 * num; k = 0 always qualifies.
        let twiceNumerator = numerator + numerator
        var low = 0
        var high = limit
        while low < high {
            let mid = (low + high + 1) / 2
            if BigNat(UInt64(2 * mid - 1)) * denominator <= twiceNumerator {
                low = mid
            } else {
                high = mid - 1
            }
        }
        return low
    }
}
