import Testing
@testable import AnalyticsCore

@Suite("Values: Money, DecimalLiteral, CalendarDate, Ratio4, exact rounding")
struct ValuesTests {
    @Test func moneyParsesExactly() {
        #expect(Money(exactly: "1234.5")?.minorUnits == 123_450)
        #expect(Money(exactly: "1234.50")?.minorUnits == 123_450)
        #expect(Money(exactly: "1.500")?.minorUnits == 150)
        #expect(Money(exactly: "0.1")?.minorUnits == 10)
        #expect(Money(exactly: "1.5e2")?.minorUnits == 15_000)
        #expect(Money(exactly: "1.005") == nil)
        #expect(Money(exactly: "abc") == nil)
        #expect(Money(exactly: "1.") == nil)
        #expect(Money(exactly: "-0.01")?.minorUnits == -1)
    }

    @Test func moneyDescription() {
        #expect(Money(minorUnits: 123_450).description == "1234.50")
        #expect(Money(minorUnits: 5).description == "0.05")
        #expect(Money(minorUnits: -1).description == "-0.01")
        #expect(Money.zero.description == "0.00")
        #expect(Money(minorUnits: .max).description == "92233720368547758.07")
        #expect(Money(minorUnits: .min).description == "-92233720368547758.08")
        // Every shape of amount renders as whole units, a point and two digits, the sign first.
        for units: Int64 in [0, 1, 9, 10, 99, 100, 101, 1_000, 123_456_789, -5, -10, -99, -100, -100_050] {
            let magnitude = units.magnitude
            let fraction = magnitude % 100
            let expected = (units < 0 ? "-" : "") + String(magnitude / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
            #expect(Money(minorUnits: units).description == expected)
        }
    }

    @Test func decimalLiteralNormalises() throws {
        let literal = try #require(DecimalLiteral("-12.340e1"))
        #expect(literal.isNegative)
        #expect(literal.digits == [1, 2, 3, 4])
        #expect(literal.exponent == -1)
        #expect(DecimalLiteral("0.000")?.isZero == true)
        #expect(DecimalLiteral("99999999999999999999")?.scaled(toPlaces: 2) == nil)
    }

    @Test func calendarDatesRejectImpossibleDays() {
        #expect(CalendarDate(iso: "2024-02-30") == nil)
        #expect(CalendarDate(iso: "2023-02-29") == nil)
        #expect(CalendarDate(iso: "1900-02-29") == nil)
        #expect(CalendarDate(iso: "2000-02-29") != nil)
        #expect(CalendarDate(iso: "2024-02-29") != nil)
        #expect(CalendarDate(iso: "2024-13-01") == nil)
        #expect(CalendarDate(iso: "2024-1-01") == nil)
        #expect(CalendarDate(iso: "2024-01-01T00:00") == nil)
    }

    @Test func calendarDateArithmetic() throws {
        let date = try #require(CalendarDate(iso: "2024-02-28"))
        #expect((date + 1).description == "2024-02-29")
        #expect((date + 2).description == "2024-03-01")
        #expect(CalendarDate(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(try #require(CalendarDate(iso: "2024-03-01")) - date == 2)
        #expect(date.firstOfMonth.description == "2024-02-01")
        for day in stride(from: -719_162, through: 2_932_896, by: 997) {
            let d = CalendarDate(daysSinceEpoch: Int32(day))
            #expect(CalendarDate(iso: d.description) == d)
        }
    }

    @Test func ratioRoundsHalfAwayFromZero() {
        #expect(Ratio4(numerator: 15, denominator: 41)?.description == "0.3659")
        #expect(Ratio4(numerator: 2, denominator: 3)?.description == "0.6667")
        #expect(Ratio4(numerator: 1, denominator: 3)?.description == "0.3333")
        #expect(Ratio4(numerator: 1, denominator: 20_000)?.description == "0.0001")
        #expect(Ratio4(numerator: -1, denominator: 20_000)?.description == "-0.0001")
        #expect(Ratio4(numerator: 1, denominator: 20_001)?.description == "0.0000")
        #expect(Ratio4(numerator: 123_457, denominator: 10_000)?.description == "12.3457")
        #expect(Ratio4(numerator: 5, denominator: 0) == nil)
        #expect(Ratio4(exactly: "0.1550")?.scaled == 1550)
        #expect(Ratio4(exactly: "0.15501") == nil)
    }

    @Test func flatInterestRoundsOnTheExactValue() {
        // 730.00 * 0.0125 * 73 / 365 = 1.825 exactly -> 1.83 (banker's rounding would give 1.82).
        let interest = ScheduleGenerator.flatInterest(
            loanAmount: Money(minorUnits: 73_000), interestRate: Ratio4(scaled: 125), loanTermDays: 73)
        #expect(interest.description == "1.83")
        #expect(ScheduleGenerator.flatInterest(loanAmount: Money(minorUnits: 100), interestRate: nil, loanTermDays: 30) == .zero)
    }

    @Test func exactFractionRoundsTiesUp() {
        #expect(ExactFraction(165, 2).roundedHalfUp(limit: 100) == 83)  // 82.5
        #expect(ExactFraction(57, 2).roundedHalfUp(limit: 100) == 29)  // 28.5
        #expect(ExactFraction(28_499_999, 1_000_000).roundedHalfUp(limit: 100) == 28)
        #expect(ExactFraction(0).roundedHalfUp(limit: 100) == 0)
        #expect(ExactFraction(1000).roundedHalfUp(limit: 100) == 100)
    }

    @Test func bigNatMatchesInt128() {
        let a: Int64 = 9_123_456_789_012_345_678
        let b: Int64 = 8_765_432_109_876_543_210
        let product = BigNat(a) * BigNat(b)
        let expected = UInt128(a) * UInt128(b)
        #expect(product.limbs == [UInt64(truncatingIfNeeded: expected), UInt64(expected >> 64)])
        #expect((product + BigNat(b)) - BigNat(b) == product)
        #expect(BigNat(a) < BigNat(a) * BigNat(2 as Int64))
    }

    @Test func scoresUseExactArithmetic() {
        // Scenario 6: 100 * (0.4 + 0.35 * 0.5 + 0.25) = 82.5 -> 83.
        var sums = OfficerAccumulator()
        sums.activeLoans = 1
        sums.channelMatchingActiveLoans = 1
        sums.installmentsDueTrailing = 2
        sums.installmentsOnTimeTrailing = 1
        let scores = OfficerScores(sums: sums, hasFloatGap: false)
        #expect(scores.riskScore == 100)
        #expect(scores.dqi == 83)
        #expect(scores.riskBand == .green)
        #expect(OfficerScores(sums: OfficerAccumulator(), hasFloatGap: true).riskScore == 90)
    }

    @Test func riskBands() {
        #expect(RiskBand(riskScore: 80) == .green)
        #expect(RiskBand(riskScore: 79) == .watch)
        #expect(RiskBand(riskScore: 60) == .watch)
        #expect(RiskBand(riskScore: 59) == .amber)
        #expect(RiskBand(riskScore: 40) == .amber)
        #expect(RiskBand(riskScore: 39) == .red)
    }

    @Test func midMonthAnchor() throws {
        #expect(MetricsWindow(asOf: try #require(CalendarDate(iso: "2024-10-14"))).midMonthDate.description == "2024-09-15")
        #expect(MetricsWindow(asOf: try #require(CalendarDate(iso: "2024-10-15"))).midMonthDate.description == "2024-10-15")
        #expect(MetricsWindow(asOf: try #require(CalendarDate(iso: "2024-01-03"))).midMonthDate.description == "2023-12-15")
    }

    @Test func trend() {
        #expect(Trend(currentRiskScore: 80, previousRiskScore: 77) == .improving)
        #expect(Trend(currentRiskScore: 80, previousRiskScore: 78) == .stable)
        #expect(Trend(currentRiskScore: 74, previousRiskScore: 77) == .declining)
        #expect(Trend(currentRiskScore: 74, previousRiskScore: nil) == .stable)
    }

    @Test func byteOrderIsNotLocaleOrder() {
        #expect(ByteOrder.sorted(["north", "South", "Été", "east"]) == ["South", "east", "north", "Été"])
    }
}
