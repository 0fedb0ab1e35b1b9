/// A small arbitrary-precision natural number: just enough (add, subtract, multiply, compare) for
/// exact score arithmetic, whose common denominators are products of several money sums and
/// overflow even 128 bits.
struct BigNat: Comparable, Sendable {
    /// Little-endian 64-bit limbs without high zero limbs (zero is `[]`).
    private(set) var limbs: [UInt64]

    init(_ value: UInt64) {
        limbs = value == 0 ? [] : [value]
    }

    init(_ value: Int64) {
        precondition(value >= 0, "BigNat is non-negative")
        self.init(UInt64(value))
    }

    private init(limbs: [UInt64]) {
        var trimmed = limbs
        while let last = trimmed.last, last == 0 { trimmed.removeLast() }
        self.limbs = trimmed
    }

    var isZero: Bool { limbs.isEmpty }

    static func + (lhs: BigNat, rhs: BigNat) -> BigNat {
        var result = [UInt64](repeating: 0, count: max(lhs.limbs.count, rhs.limbs.count) + 1)
        var carry: UInt64 = 0
        for i in 0..<(result.count - 1) {
            let a = i < lhs.limbs.count ? lhs.limbs[i] : 0
            let b = i < rhs.limbs.count ? rhs.limbs[i] : 0
            let (s1, o1) = a.addingReportingOverflow(b)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            result[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        result[result.count - 1] = carry
        return BigNat(limbs: result)
    }

    /// `lhs - rhs`; `lhs` must be at least `rhs`.
    static func - (lhs: BigNat, rhs: BigNat) -> BigNat {
        precondition(lhs >= rhs, "BigNat subtraction underflow")
        var result = lhs.limbs
        var borrow: UInt64 = 0
        for i in 0..<result.count {
            let b = i < rhs.limbs.count ? rhs.limbs[i] : 0
            let (d1, o1) = result[i].subtractingReportingOverflow(b)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            result[i] = d2
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return BigNat(limbs: result)
    }

    static func * (lhs: BigNat, rhs: BigNat) -> BigNat {
        if lhs.isZero || rhs.isZero { return BigNat(0 as UInt64) }
        var result = [UInt64](repeating: 0, count: lhs.limbs.count + rhs.limbs.count)
        for (i, a) in lhs.limbs.enumerated() {
            var carry: UInt64 = 0
            for (j, b) in rhs.limbs.enumerated() {
                let (high, low) = a.multipliedFullWidth(by: b)
                let (s1, o1) = low.addingReportingOverflow(result[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                result[i + j] = s2
                // high <= 2^64 - 2, so adding two carry bits cannot overflow.
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            result[i + rhs.limbs.count] = carry
        }
        return BigNat(limbs: result)
    }

    static func < (lhs: BigNat, rhs: BigNat) -> Bool {
        if lhs.limbs.count != rhs.limbs.count { return lhs.limbs.count < rhs.limbs.count }
        for i in stride(from: lhs.limbs.count - 1, through: 0, by: -1) where lhs.limbs[i] != rhs.limbs[i] {
            return lhs.limbs[i] < rhs.limbs[i]
        }
        return false
    }
}
