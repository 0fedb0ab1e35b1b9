/// The exact value of a number as PostgreSQL prints it (`numeric`, integer and float text:
/// `-12`, `1381113.83`, `0.3569`, `1.5e-05`, `NaN`, `Infinity`), comparable in the order
/// PostgreSQL sorts the column: `-Infinity` < every finite number < `Infinity` < `NaN`, and equal
/// values equal however they are written (`1.50` and `1.5`, `0` and `-0`). No binary floating
/// point: the digits themselves are compared, so two amounts a cent apart never tie.
struct NumericKey: Comparable, Sendable {
    /// `-Infinity`, finite, `Infinity`, `NaN`, in sort order.
    private enum Kind: Int, Comparable {
        case negativeInfinity, finite, infinity, notANumber
        static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private let kind: Kind
    /// -1, 0 or 1 (finite only).
    private let sign: Int
    /// Where the decimal point is, counted from the first significant digit (finite, non-zero).
    private let exponent: Int
    /// The significant digits, without leading or trailing zeros (finite, non-zero).
    private let digits: [UInt8]

    /// The key of `text`, or nil when it is not a number as PostgreSQL prints one.
    init?(_ text: some Collection<UInt8>) {
        switch Array(text) {
        case Array("NaN".utf8): self.init(kind: .notANumber)
        case Array("Infinity".utf8): self.init(kind: .infinity)
        case Array("-Infinity".utf8): self.init(kind: .negativeInfinity)
        default: self.init(finite: Array(text))
        }
    }

    private init(kind: Kind) {
        self.kind = kind
        sign = 0
        exponent = 0
        digits = []
    }

    private init?(finite text: [UInt8]) {
        var index = 0
        var negative = false
        if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
            negative = text[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: [UInt8] = []
        var beforePoint = 0
        var seenPoint = false
        while index < text.count {
            let byte = text[index]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                mantissa.append(byte)
                if !seenPoint { beforePoint += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard !mantissa.isEmpty else { return nil }
        var scale = 0
        if index < text.count {
            guard text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") else { return nil }
            index += 1
            var exponentNegative = false
            if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < text.count else { return nil }
            while index < text.count {
                let byte = text[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), scale < 100_000 else { return nil }
                scale = scale * 10 + Int(byte - UInt8(ascii: "0"))
                index += 1
            }
            if exponentNegative { scale = -scale }
        }
        guard let first = mantissa.firstIndex(where: { $0 != UInt8(ascii: "0") }),
              let last = mantissa.lastIndex(where: { $0 != UInt8(ascii: "0") }) else {
            kind = .finite
            sign = 0
            exponent = 0
            digits = []
            return
        }
        kind = .finite
        sign = negative ? -1 : 1
        exponent = beforePoint - first + scale
        digits = Array(mantissa[first...last])
    }

    static func == (lhs: NumericKey, rhs: NumericKey) -> Bool {
        lhs.kind == rhs.kind && lhs.sign == rhs.sign && lhs.exponent == rhs.exponent && lhs.digits == rhs.digits
    }

    static func < (lhs: NumericKey, rhs: NumericKey) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
        guard lhs.kind == .finite else { return false }
        if lhs.sign != rhs.sign { return lhs.sign < rhs.sign }
        if lhs.sign == 0 { return false }
        // Same sign, both non-zero: compare magnitudes, then flip for negatives.
        let smaller: Bool
        if lhs.exponent != rhs.exponent {
            smaller = lhs.exponent < rhs.exponent
        } else if lhs.digits == rhs.digits {
            return false
        } else {
            smaller = lhs.digits.lexicographicallyPrecedes(rhs.digits)
        }
        return lhs.sign > 0 ? smaller : !smaller
    }
}
