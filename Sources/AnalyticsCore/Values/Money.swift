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
    ///
    /// Written digit by digit into the string's own storage (every amount of a load is rendered at
    /// least once: interpolation cost a tenth of `sync-fineract`'s mapping).
    public var description: String {
        // A sign, 19 digits, the point: at most 22 bytes.
        String(unsafeUninitializedCapacity: 24) { buffer in
            var end = buffer.count
            func put(_ byte: UInt8) {
                end -= 1
                buffer[end] = byte
            }
            var magnitude = minorUnits.magnitude
            put(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
            put(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
            put(UInt8(ascii: "."))
            repeat {
                put(UInt8(ascii: "0") + UInt8(magnitude % 10))
                magnitude /= 10
            } while magnitude > 0
            if minorUnits < 0 { put(UInt8(ascii: "-")) }
            let count = buffer.count - end
            for index in 0..<count { buffer[index] = buffer[end + index] }
            return count
        }
    }
}
