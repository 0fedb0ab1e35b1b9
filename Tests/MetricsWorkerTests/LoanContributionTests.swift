import AnalyticsCore
import AnalyticsStore
@testable import MetricsWorker
import Testing

/// `LoanContribution.encode` writes the fields field by field (fast); `columns`, the sums' decoding
/// and the migration's columns come from the field list. The two must agree, column for column.
@Suite("Loan contributions: encoding order")
struct LoanContributionTests {
    /// The encoded fields of a row: each a 4-byte big-endian length (-1 for NULL) and its bytes.
    static func fields(_ bytes: [UInt8]) -> [Int64?] {
        var result: [Int64?] = []
        var index = 0
        func int(_ count: Int) -> Int64 {
            var value: Int64 = 0
            for byte in bytes[index..<index + count] { value = value << 8 | Int64(byte) }
            index += count
            return count == 4 ? Int64(Int32(truncatingIfNeeded: value)) : value
        }
        while index < bytes.count {
            let length = int(4)
            result.append(length < 0 ? nil : int(Int(length)))
        }
        return result
    }

    @Test("encode writes every field in the order of `columns` (counts as int4, amounts as int8 minor units)")
    func encodeFollowsColumns() {
        var contribution = OfficerAccumulator()
        for (offset, count) in LoanContribution.counts.enumerated() { contribution[keyPath: count.field] = offset + 1 }
        for (offset, amount) in LoanContribution.amounts.enumerated() {
            contribution[keyPath: amount.field] = Money(minorUnits: 1_000_000_000_000 + Int64(offset))
        }
        var encoder = PostgresBinaryRowEncoder()
        LoanContribution.encode(contribution, exists: true, into: &encoder)
        let expected = (0..<LoanContribution.counts.count).map { Int64($0 + 1) }
            + (0..<LoanContribution.amounts.count).map { 1_000_000_000_000 + Int64($0) }
        #expect(Self.fields(encoder.bytes) == expected)
        #expect(LoanContribution.columns.count == LoanContribution.columnCount)
        #expect(Set(LoanContribution.columns).count == LoanContribution.columnCount)
    }

    @Test("a loan that does not exist at D has every contribution column NULL")
    func missingLoanIsNull() {
        var encoder = PostgresBinaryRowEncoder()
        LoanContribution.encode(OfficerAccumulator(), exists: false, into: &encoder)
        #expect(Self.fields(encoder.bytes) == Array(repeating: nil, count: LoanContribution.columnCount))
    }
}
