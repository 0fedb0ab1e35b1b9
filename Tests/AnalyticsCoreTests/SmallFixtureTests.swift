import Testing
import AnalyticsCore

/// `fixtures/small`: the generated portfolio with its expected engine output and metrics at
/// three as-of dates (METRICS 8). Everything must match exactly.
@Suite("fixtures/small")
struct SmallFixtureTests {
    static let dates = ["2024-10-10", "2024-10-17", "2024-11-01"]

    static func dataset() throws -> Dataset {
        let batch = BatchDecoder.decode(try Fixtures.json("small/input.json"))
        return Dataset(batch: batch)
    }

    @Test func inputValidatesWithZeroProblems() throws {
        let data = try Self.dataset()
        #expect(data.batch.problems.map(\.description) == [])
        #expect(data.batch.officers.count == 7)
        #expect(data.batch.loans.count == 70)
        #expect(data.batch.repayments.count == 246)
        #expect(data.batch.teamMembers.count == 5)
        // dpd_at_payment is not ours: ignored and counted.
        #expect(data.batch.unknownFieldCounts["dpd_at_payment"] == 246)
    }

    @Test func expectedDatesArePresent() throws {
        #expect(try Fixtures.smallDates() == Self.dates)
    }

    @Test(arguments: dates)
    func loans(asOf text: String) throws {
        let date = try #require(CalendarDate(iso: text))
        let expected = try #require(try Fixtures.json("small/expected/\(text)/loans.json").objectValue)
        let states = try Self.dataset().loanStates(at: date)
        #expect(ByteOrder.sorted(states.keys) == expected.keys, "loan ids existing at \(text)")
        for member in expected.members {
            guard let (ledger, state) = states[member.key] else {
                Issue.record("loan \(member.key) at \(text): no engine state")
                continue
            }
            Comparison.expectEqual(expected: member.value, actual: Rendering.loan(ledger, state),
                                   context: "loan \(member.key) at \(text)")
        }
    }

    @Test(arguments: dates)
    func officerMetrics(asOf text: String) throws {
        let date = try #require(CalendarDate(iso: text))
        let expected = try #require(try Fixtures.json("small/expected/\(text)/officer_metrics.json").arrayValue)
        let rows = try Self.dataset().officerRows(at: date)
        let expectedIds = expected.compactMap { $0.objectValue?["officer_id"]?.stringValue }
        #expect(rows.map(\.officerId) == expectedIds, "officer rows at \(text)")
        for value in expected {
            let id = value.objectValue?["officer_id"]?.stringValue ?? "?"
            guard let row = rows.first(where: { $0.officerId == id }) else { continue }
            Comparison.expectEqual(expected: value, actual: Rendering.officer(row), context: "officer \(id) at \(text)")
        }
    }

    @Test(arguments: dates)
    func branchMetrics(asOf text: String) throws {
        let date = try #require(CalendarDate(iso: text))
        let expected = try #require(try Fixtures.json("small/expected/\(text)/branch_metrics.json").arrayValue)
        let branches = BranchAggregation.aggregate(try Self.dataset().officerRows(at: date))
        let expectedNames = expected.compactMap { $0.objectValue?["branch"]?.stringValue }
        #expect(branches.map(\.branch) == expectedNames, "branch rows at \(text)")
        for value in expected {
            let name = value.objectValue?["branch"]?.stringValue ?? "?"
            guard let row = branches.first(where: { $0.branch == name }) else { continue }
            Comparison.expectEqual(expected: value, actual: Rendering.branch(row), context: "branch \(name) at \(text)")
        }
    }
}
