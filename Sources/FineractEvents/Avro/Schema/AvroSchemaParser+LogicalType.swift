// Hand-written (see AvroSchema.swift).
import AnalyticsCore

extension AvroSchemaParser {
    /// Wraps `base` in the object's `logicalType` when it is one this decoder knows and valid for
    /// `base`; otherwise returns `base` (the specification: ignore unknown or invalid logical types).
    static func applyLogicalType(_ object: JSONObject, to base: AvroSchema) -> AvroSchema {
        guard let name = object["logicalType"]?.stringValue else { return base }
        let logical: AvroLogicalType?
        switch (name, base) {
        case ("decimal", .bytes):
            logical = decimal(object, maximumPrecision: nil)
        case ("decimal", .fixed(let fixed)):
            logical = decimal(object, maximumPrecision: maximumDecimalPrecision(bytes: fixed.size))
        case ("date", .int): logical = .date
        case ("time-millis", .int): logical = .timeMillis
        case ("time-micros", .long): logical = .timeMicros
        case ("timestamp-millis", .long): logical = .timestampMillis
        case ("timestamp-micros", .long): logical = .timestampMicros
        case ("local-timestamp-millis", .long): logical = .localTimestampMillis
        case ("local-timestamp-micros", .long): logical = .localTimestampMicros
        case ("uuid", .string): logical = .uuid
        case ("uuid", .fixed(let fixed)) where fixed.size == 16: logical = .uuid
        default: logical = nil
        }
        guard let logical else { return base }
        return .logical(logical, base)
    }

    private static func decimal(_ object: JSONObject, maximumPrecision: Int?) -> AvroLogicalType? {
        guard let precision = integer(object["precision"]), precision > 0 else { return nil }
        let scale: Int
        if let value = object["scale"] {
            guard let parsed = integer(value) else { return nil }
            scale = parsed
        } else {
            scale = 0
        }
        guard scale >= 0, scale <= precision else { return nil }
        if let maximumPrecision, precision > maximumPrecision { return nil }
        return .decimal(precision: precision, scale: scale)
    }

    /// The most decimal digits a two's-complement number of `bytes` bytes always holds:
    /// floor(log10(2^(8·bytes-1) - 1)).
    static func maximumDecimalPrecision(bytes: Int) -> Int {
        guard bytes > 0 else { return 0 }
        // Count the digits of 2^(8·bytes-1) - 1 with a decimal digit array (exact, no floating point).
        var digits: [UInt8] = [1]  // little-endian decimal digits of 2^k
        for _ in 0..<(8 * bytes - 1) {
            var carry: UInt8 = 0
            for i in digits.indices {
                let doubled = digits[i] * 2 + carry
                digits[i] = doubled % 10
                carry = doubled / 10
            }
            if carry > 0 { digits.append(carry) }
        }
        // 2^k is never a power of ten for k ≥ 1, so 2^k - 1 has as many digits as 2^k, unless 2^k = 1.
        // floor(log10(n)) for an n of d digits is d - 1.
        return bytes == 0 ? 0 : digits.count - 1
    }
}
