/// Fineract's `NUMERIC(19,6)` text turned into the exact 2-decimal money text of INGEST.md, never
/// rounded: a non-zero digit after the second decimal is refused (the caller rejects the loan,
/// naming table, row and column).
public enum FineractMoney {
    /// `1000.500000` -> 100050 (cents); nil when a digit after the second decimal is not 0 or the
    /// text is not a plain decimal (or beyond Int64).
    public static func cents(_ text: String) -> Int64? {
        // Over the UTF-8 bytes: every amount of every loan passes here (a third of the mapping's
        // time went to Character-wise splitting).
        var utf8 = text.utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        var value: Int64 = 0
        var wholeDigits = 0, fractionDigits = 0
        var inFraction = false
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard !inFraction else { return nil }
                inFraction = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            if inFraction {
                fractionDigits += 1
                // Past the cents only zeros: never rounded.
                if fractionDigits > 2 { guard digit == 0 else { return nil }; continue }
            } else {
                wholeDigits += 1
            }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(digit)
            guard !overflow, !overflow2 else { return nil }
            value = sum
        }
        guard wholeDigits > 0 else { return nil }
        for _ in min(fractionDigits, 2)..<2 {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = times
        }
        return negative ? -value : value
    }

    /// Cents as money text: 100050 -> `1000.50` (`Money`'s own rendering).
    public static func text(cents: Int64) -> String {
        Money(minorUnits: cents).description
    }

    /// A percentage divided by 100 (`24.500000` -> `0.245`), exactly; nil when more than `maxDecimals`
    /// significant decimals remain or the text is not a plain decimal.
    public static func fractionOfPercent(_ text: String, maxDecimals: Int = 4) -> String? {
        guard let (negative, whole, fraction) = split(text) else { return nil }
        let padded = String(repeating: "0", count: max(0, 2 - whole.count)) + whole
        let newWhole = String(padded.dropLast(2))
        var newFraction = String(padded.suffix(2)) + fraction
        while newFraction.hasSuffix("0") { newFraction.removeLast() }
        guard newFraction.count <= maxDecimals else { return nil }
        let trimmedWhole = newWhole.drop { $0 == "0" }
        let result = (trimmedWhole.isEmpty ? "0" : String(trimmedWhole)) + (newFraction.isEmpty ? "" : "." + newFraction)
        return (negative ? "-" : "") + result
    }

    private static func split(_ text: String) -> (Bool, String, String)? {
        var body = Substring(text)
        let negative = body.first == "-"
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, first.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        guard fraction.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
        return (negative, String(first), fraction)
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
