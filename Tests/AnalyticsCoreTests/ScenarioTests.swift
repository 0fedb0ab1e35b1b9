import Testing
import AnalyticsCore

/// `fixtures/scenarios.json`: the 13 hand-worked scenarios. Only the listed fields are asserted,
/// plus the exact officer / branch row lists and the loans that must not exist.
@Suite("fixtures/scenarios.json")
struct ScenarioTests {
    @Test func allThirteenScenariosAreLoaded() {
        #expect(Fixtures.scenarios.count == 13)
    }

    @Test(arguments: Fixtures.scenarioNames)
    func scenario(_ name: String) throws {
        let scenario = try #require(Fixtures.scenarios[name]?.objectValue)
        let input = try #require(scenario["input"])
        let data = Dataset(json: input)
        #expect(data.batch.problems.map(\.description) == [], "\(name): input validates")
        for step in try #require(scenario["expect"]?.arrayValue) {
            let expect = try #require(step.objectValue)
            let text = try #require(expect["as_of"]?.stringValue)
            let date = try #require(CalendarDate(iso: text))
            let context = "\(name) at \(text)"
            var options = MetricsOptions()
            if expect["options"]?.objectValue?["dqi_channel_purity"]?.stringValue == "off" {
                options.dqiUsesChannelPurity = false
            }
            let states = data.loanStates(at: date)
            for member in expect["loans"]?.objectValue?.members ?? [] {
                guard let (ledger, state) = states[member.key] else {
                    Issue.record("\(context): loan \(member.key) has no state (does not exist?)")
                    continue
                }
                Comparison.expectEqual(expected: member.value, actual: Rendering.loan(ledger, state),
                                       context: "\(context) loan \(member.key)")
            }
            for absent in expect["absent_loans"]?.arrayValue ?? [] {
                let id = absent.stringValue ?? "?"
                #expect(states[id] == nil, "\(context): loan \(id) must not exist")
            }
            let rows = data.officerRows(at: date, options: options)
            if let ids = expect["officer_ids"]?.arrayValue {
                #expect(rows.map(\.officerId) == ids.compactMap(\.stringValue), "\(context): officer rows")
            }
            for value in expect["officers"]?.arrayValue ?? [] {
                let id = value.objectValue?["officer_id"]?.stringValue ?? "?"
                guard let row = rows.first(where: { $0.officerId == id }) else {
                    Issue.record("\(context): officer \(id) has no row")
                    continue
                }
                Comparison.expectEqual(expected: value, actual: Rendering.officer(row), context: "\(context) officer \(id)")
            }
            let branches = BranchAggregation.aggregate(rows)
            if let names = expect["branch_names"]?.arrayValue {
                #expect(branches.map(\.branch) == names.compactMap(\.stringValue), "\(context): branch rows")
            }
            for value in expect["branches"]?.arrayValue ?? [] {
                let branch = value.objectValue?["branch"]?.stringValue ?? "?"
                guard let row = branches.first(where: { $0.branch == branch }) else {
                    Issue.record("\(context): branch \(branch) has no row")
                    continue
                }
                Comparison.expectEqual(expected: value, actual: Rendering.branch(row), context: "\(context) branch \(branch)")
            }
        }
    }
}
