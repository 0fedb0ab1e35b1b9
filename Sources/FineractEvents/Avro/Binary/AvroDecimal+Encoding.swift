// Hand-written (see Avro/Schema/AvroSchema.swift).
import AnalyticsCore

extension AvroDecimal {
    /// The most decimal digits an unscaled value may have here (what ``maximumByteCount`` bytes hold).
    static let maximumDigitCount = 154

    /// `literal` at `scale` decimals, exactly. Nil when it has a non-zero digit beyond `scale`
    /// decimals (a value is never rounded), for a negative scale, or beyond ``maximumByteCount``.
    public init?(_ literal: DecimalLiteral, scale: Int) {
        guard scale >= 0 else { return nil }
        var digits: [UInt8] = []
        if !literal.isZero {
            // literal = digits × 10^exponent, so the unscaled value is digits × 10^(exponent + scale);
            // the digits have no trailing zeros, so a negative shift would drop a non-zero digit.
            let shift = literal.exponent + scale
            guard shift >= 0, literal.digits.count + shift <= Self.maximumDigitCount else { return nil }
            digits = literal.digits + [UInt8](repeating: 0, count: shift)
        }
        self.init(isNegative: literal.isNegative, unscaledDigits: digits, scale: scale)
    }

    /// The decimal written as `text` (e.g. `-1234.5678`) at `scale` decimals; nil when `text` is not
    /// a decimal number or needs more decimals than `scale`.
    public init?(_ text: some StringProtocol, scale: Int) {
        guard let literal = DecimalLiteral(text) else { return nil }
        self.init(literal, scale: scale)
    }

    /// An amount of money at `scale` decimals (at least 2; Fineract's amounts have 8).
    public init?(_ money: Money, scale: Int) {
        guard let literal = DecimalLiteral("\(money.minorUnits)e-2") else { return nil }
        self.init(literal, scale: scale)
    }

    /// The same value at another scale; nil when that would drop a non-zero digit.
    public func rescaled(to scale: Int) -> AvroDecimal? {
        scale == self.scale ? self : AvroDecimal(literal, scale: scale)
    }

    /// The number of significant digits of the unscaled value (1 for zero), as Java's
    /// `BigDecimal.precision()` counts them.
    public var precision: Int { max(unscaledDigits.count, 1) }

    /// The unscaled value in two's complement, big-endian, in the fewest bytes that keep the sign
    /// (Java's `BigInteger.toByteArray()`, which Avro's Java writer and so Fineract use; zero is `00`).
    public var twosComplementBytes: [UInt8] {
        // Magnitude in base 256, least significant byte first: multiply by ten and add each digit.
        var magnitude: [UInt8] = []
        for digit in unscaledDigits {
            var carry = UInt16(digit)
            for index in magnitude.indices {
                let product = UInt16(magnitude[index]) * 10 + carry
                magnitude[index] = UInt8(truncatingIfNeeded: product)
                carry = product >> 8
            }
            while carry > 0 {
                magnitude.append(UInt8(truncatingIfNeeded: carry))
                carry >>= 8
            }
        }
        var bytes = Array(magnitude.reversed())
        if !isNegative {
            if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
            return bytes
        }
        // Negate in as many bytes: invert and add one; widen when the sign bit did not come out set.
        var carry = true
        for index in bytes.indices.reversed() {
            let inverted = ~bytes[index]
            if carry {
                let (sum, overflow) = inverted.addingReportingOverflow(1)
                bytes[index] = sum
                carry = overflow
            } else {
                bytes[index] = inverted
            }
        }
        if bytes[0] & 0x80 == 0 { bytes.insert(0xFF, at: 0) }
        return bytes
    }
}
