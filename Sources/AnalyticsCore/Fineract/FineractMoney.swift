/// Fineract's `NUMERIC(19,6)` text turned into the exact 2-decimal money text of INGEST.md, never
/// rounded: a non-zero digit after the second decimal is refused (the caller rejects the loan,
/// naming table, row and column).
public enum FineractMoney {
    /// `1000.500000` -> 100050 (cents); nil when a digit after the second decimal is not 0 or the
    /// text is not a plain decimal (or beyond Int64).
    public static func cents(_ text: String) -> Int64? {
        guard let (negative, whole, fraction) = split(text) else { return nil }
        guard fraction.dropFirst(2).allSatisfy({ $0 == "0" }) else { return nil }
        let two = String((fraction + "00").prefix(2))
        guard let value = Int64(whole + two) else { return nil }
        return negative ? -value : value
    }

    /// Cents as money text: 100050 -> `1000.50`.
    public static func text(cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
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
