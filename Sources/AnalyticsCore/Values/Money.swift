/// An exact amount of money in minor units (kobo, cents): two decimal places, no binary floating point.
///
/// The range is that of `Int64` minor units, far beyond `NUMERIC(15,2)`. Arithmetic traps on overflow,
/// like Swift's integers. Parsing is exact: `"1234.5"`, `"1234.50"` and `"1.500"` are all accepted, a
/// non-zero third decimal is rejected (never rounded).
public struct Money: Hashable, Comparable, Sendable {
    /// The amount in minor units (1/100 of the currency unit).
    public var minorUnits: Int64

    /// Creates an amount from minor units.
    @inlinable
    public init(minorUnits: Int64) {
        self.minorUnits = minorUnits
    }

    /// Zero.
    public static let zero = Money(minorUnits: 0)

    /// Parses a decimal literal exactly: optional sign, digits, optional fraction, optional exponent
    /// (`1.5e2`, as JSON allows). Returns nil for anything that is not such a literal, or that has a
    /// non-zero digit beyond the second decimal place, or that overflows.
    public init?(exactly text: some StringProtocol) {
        guard let value = DecimalLiteral(text), let units = value.scaled(toPlaces: 2) else { return nil }
        self.minorUnits = units
    }

    /// Orders amounts by value.
    @inlinable
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    /// The exact sum; traps on overflow.
    @inlinable
    public static func + (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits + rhs.minorUnits) }

    /// The exact difference; traps on overflow.
    @inlinable
    public static func - (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits - rhs.minorUnits) }

    /// Adds exactly; traps on overflow.
    @inlinable
    public static func += (lhs: inout Money, rhs: Money) { lhs.minorUnits += rhs.minorUnits }

    /// Subtracts exactly; traps on overflow.
    @inlinable
    public static func -= (lhs: inout Money, rhs: Money) { lhs.minorUnits -= rhs.minorUnits }

    /// The negated amount.
    @inlinable
    public static prefix func - (value: Money) -> Money { Money(minorUnits: -value.minorUnits) }
}

extension Money: CustomStringConvertible {
    /// The amount with exactly two decimals, e.g. `"1234.50"`, `"-0.01"`.
    public var description: String {
        let magnitude = minorUnits.magnitude
        let whole = magnitude / 100
        let fraction = magnitude % 100
        let sign = minorUnits < 0 ? "-" : ""
        return fraction < 10 ? "\(sign)\(whole).0\(fraction)" : "\(sign)\(whole).\(fraction)"
    }
}
