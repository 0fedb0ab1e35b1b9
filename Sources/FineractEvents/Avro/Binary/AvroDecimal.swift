// Hand-written (see Avro/Schema/AvroSchema.swift).
import AnalyticsCore

/// An Avro `decimal`: an unscaled integer (two's-complement, big-endian on the wire) × 10^-scale,
/// kept exactly.
public struct AvroDecimal: Hashable, Sendable, CustomStringConvertible {
    /// True for a negative value.
    public let isNegative: Bool
    /// The unscaled magnitude's decimal digits, most significant first, no leading zeros (empty for 0).
    public let unscaledDigits: [UInt8]
    /// The schema's scale (digits after the decimal point).
    public let scale: Int
    /// The exact value as a ``DecimalLiteral`` (normalised: trailing zeros are not kept).
    public let literal: DecimalLiteral

    /// The most bytes a decimal may have (about 150 digits); longer ones are refused as absurd.
    public static let maximumByteCount = 64

    /// Decodes the two's-complement big-endian bytes of the unscaled value. Nil when there are more
    /// than ``maximumByteCount`` bytes. No bytes at all is zero (as the reference Java reader reads it).
    public init?(twosComplement bytes: some Collection<UInt8>, scale: Int) {
        guard bytes.count <= Self.maximumByteCount else { return nil }
        var magnitude = Array(bytes)
        let negative = (magnitude.first ?? 0) & 0x80 != 0
        if negative {
            // Magnitude of a negative two's-complement number: invert and add one.
            var carry = true
            for index in magnitude.indices.reversed() {
                let inverted = ~magnitude[index]
                if carry {
                    let (sum, overflow) = inverted.addingReportingOverflow(1)
                    magnitude[index] = sum
                    carry = overflow
                } else {
                    magnitude[index] = inverted
                }
            }
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(magnitude.count * 3)
        var start = magnitude.firstIndex { $0 != 0 } ?? magnitude.endIndex
        if magnitude.endIndex - start <= 8 {
            // Up to 64 bits (every amount Fineract sends): divide a machine integer.
            var value: UInt64 = 0
            for byte in magnitude[start...] { value = value << 8 | UInt64(byte) }
            while value > 0 {
                digits.append(UInt8(value % 10))
                value /= 10
            }
        } else {
            // Repeated division of the base-256 number by ten; each remainder is the next lowest digit.
            while start < magnitude.endIndex {
                var remainder: UInt16 = 0
                for index in start..<magnitude.endIndex {
                    let current = remainder << 8 | UInt16(magnitude[index])
                    magnitude[index] = UInt8(current / 10)
                    remainder = current % 10
                }
                digits.append(UInt8(remainder))
                while start < magnitude.endIndex, magnitude[start] == 0 { start += 1 }
            }
        }
        digits.reverse()
        guard scale >= 0, let literal = DecimalLiteral(isNegative: negative && !digits.isEmpty, digits: digits, exponent: -scale) else {
            return nil
        }
        self.isNegative = negative && !digits.isEmpty
        self.unscaledDigits = digits
        self.scale = scale
        self.literal = literal
    }

    /// A decimal from its parts; nil when they do not make a decimal literal (a negative scale).
    init?(isNegative: Bool, unscaledDigits: [UInt8], scale: Int) {
        let negative = isNegative && !unscaledDigits.isEmpty
        guard scale >= 0, let literal = DecimalLiteral(isNegative: negative, digits: unscaledDigits, exponent: -scale) else {
            return nil
        }
        self.isNegative = negative
        self.unscaledDigits = unscaledDigits
        self.scale = scale
        self.literal = literal
    }

    /// The value as ``Money`` (two decimals), or nil when it has a non-zero digit beyond the second
    /// decimal place or does not fit. Fineract's amounts have scale 8 with trailing zeros.
    public var money: Money? {
        guard let units = literal.scaled(toPlaces: 2) else { return nil }
        return Money(minorUnits: units)
    }

    /// The value with exactly ``scale`` decimals, e.g. `-1234.56780000`.
    public var description: String {
        Self.text(negative: isNegative, digits: unscaledDigits, scale: scale)
    }

    private static func text(negative isNegative: Bool, digits unscaledDigits: [UInt8], scale: Int) -> String {
        var text: [UInt8] = isNegative ? [UInt8(ascii: "-")] : []
        let padded = [UInt8](repeating: 0, count: max(scale - unscaledDigits.count + 1, 0)) + unscaledDigits
        for (index, digit) in padded.enumerated() {
            if scale > 0, index == padded.count - scale { text.append(UInt8(ascii: ".")) }
            text.append(UInt8(ascii: "0") + digit)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
