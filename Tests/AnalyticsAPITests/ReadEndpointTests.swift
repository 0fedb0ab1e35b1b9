@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every read endpoint's happy path against the fixture loaded and computed by the worker, checked
/// against the fixture's expected files.
@Suite("Read endpoints against the fixture")
struct ReadEndpointTests {
    /// Response name -> expected-file key where they differ (API.md "Field names").
    static let renamed = ["portfolio_total": "total_portfolio", "overdue_15d": "overdue_15d_amount", "yield": "total_yield"]
    static let officerMetricFields = OfficerFields.all.map(\.name).filter {
        !["channel", "calculation_date", "officer_name", "region", "branch"].contains($0)
    }

    static func checkOfficer(_ row: JSONObject, _ expected: JSONObject, _ label: String) {
        for field in officerMetricFields {
            let key = renamed[field] ?? field
            #expect(Expected.same(row[field], expected[key]), "\(label) \(field): \(String(describing: row[field])) vs \(String(describing: expected[key]))")
        }
        for field in ["officer_name", "region", "branch", "calculation_date"] {
            #expect(Expected.same(row[field], expected[field]), "\(label) \(field)")
        }
    }

    @Test("the total is the number of rows the filters select, on the first page, a later one and one past the end")
    func officerListTotals() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("admin")
        let date = try #require(FixtureDatabase.dates.last)
        let expected = try Expected.officers(date)
        let red = expected.filter { $0["risk_band"]?.stringValue == "Red" }.count
        try await app.application.test(.router) { client in
            for (query, rows, total) in [("per_page=2&page=1", min(2, expected.count), expected.count),
                                         ("per_page=2&page=2", min(2, max(0, expected.count - 2)), expected.count),
                                         ("per_page=2&page=999", 0, expected.count),
                                         ("per_page=2&page=1&risk_band=Red", min(2, red), red)] {
                try await client.execute(uri: "/api/v1/metrics/officers?date=\(date)&\(query)", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    let body = try Body.rows(response)
                    let meta = try Body.meta(response)
                    #expect(body.count == rows, "\(query)")
                    #expect(meta["total"] == .number(String(total)), "\(query)")
                }
            }
        }
    }

    @Test("officer list at each fixture date: every row and field as expected, ordered by rank")
    func officerList() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("admin")
        try await app.application.test(.router) { client in
            for date in FixtureDatabase.dates {
                let expected = try Expected.officers(date)
                try await client.execute(uri: "/api/v1/metrics/officers?date=\(date)&per_page=500", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    let rows = try Body.rows(response)
                    let meta = try Body.meta(response)
                    #expect(rows.count == expected.count)
                    #expect(meta["total"] == .number(String(expected.count)))
                    #expect(meta["calculation_date"] == .string(date))
                    #expect(meta["calculated_at"]?.stringValue?.hasSuffix("Z") == true)
                    let order = expected.sorted {
                        let a = $0["rank"]?.numberText.flatMap { Int($0) } ?? Int.max
                        let b = $1["rank"]?.numberText.flatMap { Int($0) } ?? Int.max
                        return a != b ? a < b : ($0["officer_id"]?.stringValue ?? "") < ($1["officer_id"]?.stringValue ?? "")
                    }.compactMap { $0["officer_id"]?.stringValue }
                    #expect(rows.compactMap { $0["officer_id"]?.stringValue } == order)
                    for row in rows {
                        let id = row["officer_id"]?.stringValue ?? ""
                        guard let match = expected.first(where: { $0["officer_id"]?.stringValue == id }) else {
                            Issue.record("unexpected officer \(id) on \(date)")
                            continue
                        }
                        Self.checkOfficer(row, match, "\(date) \(id)")
                        #expect(row["assignee"] == .null && row["audit_status"] == .null && row["last_audit_date"] == .null)
                    }
                }
            }
            // Default date: the newest complete one.
            try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: headers) { response in
                let actual = try Body.meta(response)["calculation_date"]
                #expect(actual == .string("2024-11-01"))
            }
        }
    }

    @Test("filters, sort, fields and pagination of the officer list")
    func officerListOptions() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        let expected = try Expected.officers("2024-11-01")
        try await app.application.test(.router) { client in
            let red = expected.filter { $0["branch"]?.stringValue == "Lagos Main" }.count
            try await client.execute(uri: "/api/v1/metrics/officers?branch=Lagos%20Main", method: .get, headers: headers) { response in
                let actual = try Body.rows(response).count
                #expect(actual == red)
            }
            try await client.execute(uri: "/api/v1/metrics/officers?sort=-risk_score&fields=officer_id,risk_score", method: .get, headers: headers) { response in
                let rows = try Body.rows(response)
                let scores = rows.compactMap { $0["risk_score"]?.numberText.flatMap { Int($0) } }
                #expect(scores == scores.sorted(by: >))
                #expect(rows.allSatisfy { $0.keys.sorted() == ["officer_id", "risk_score"] })
            }
            try await client.execute(uri: "/api/v1/metrics/officers?per_page=2&page=2", method: .get, headers: headers) { response in
                let meta = try Body.meta(response)
                let actual = try Body.rows(response).count
                #expect(actual == 2)
                #expect(meta["page"] == .number("2"))
                #expect(meta["total_pages"] == .number(String((expected.count + 1) / 2)))
            }
            try await client.execute(uri: "/api/v1/metrics/officers?start_date=2024-10-01&end_date=2024-11-01&officer_id=OFF0001",
                                     method: .get, headers: headers) { response in
                let dates = try Body.rows(response).compactMap { $0["calculation_date"]?.stringValue }
                #expect(dates == FixtureDatabase.dates.reversed())
            }
        }
    }

    @Test("a date being recalculated, or whose re-run failed, is still served from its last completed run")
    func recalculationKeepsTheDateServed() async throws {
        try await FixtureDatabase.create().using { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("viewer")
            func served() async throws -> (HTTPResponse.Status, JSONValue?, Int) {
                try await app.application.test(.router) { client in
                    try await client.execute(uri: "/api/v1/metrics/officers/OFF0001", method: .get, headers: headers) { detail in
                        try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: headers) { list in
                            (detail.status, try Body.meta(list)["calculation_date"], try Body.rows(list).count)
                        }
                    }
                }
            }
            let before = try await served()
            #expect(before.0 == .ok && before.1 == .string("2024-11-01") && before.2 > 0)
            // A re-run of the latest date starts (its rows are not written until it completes).
            _ = try await db.pool.query("""
                INSERT INTO metric_calculation_log (calculation_type, calculation_date, partition_key, status)
                VALUES ('officer_metrics', '2024-11-01', '0/1', 'Running')
                """)
            let running = try await served()
            #expect(running.0 == .ok && running.1 == .string("2024-11-01") && running.2 == before.2)
            // It fails (its transaction rolled back): the last completed run's rows are still served.
            _ = try await db.pool.query("""
                UPDATE metric_calculation_log SET status = 'Failed', end_time = now(), error_message = 'test'
                WHERE calculation_type = 'officer_metrics' AND status = 'Running'
                """)
            let failed = try await served()
            #expect(failed.0 == .ok && failed.1 == .string("2024-11-01") && failed.2 == before.2)
            // The worker's own check stays strict: branch metrics wait for the current run of every partition.
            _ = try await db.pool.query("""
                INSERT INTO metric_calculation_log (calculation_type, calculation_date, partition_key, status)
                VALUES ('officer_metrics', '2024-11-01', '0/1', 'Running')
                """)
            let strict = try await db.pool.query(
                "SELECT count(*) AS n FROM officer_metrics_complete_dates WHERE calculation_date = '2024-11-01'")
            #expect(try strict[0].decode(Int.self, "n") == 0)
        }
    }

    @Test("officer detail: current, previous (latest on or before D-7), trend, audit_info")
    func officerDetail() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("admin")
        try await app.application.test(.router) { client in
            for officer in ["OFF0001", "OFF0005"] {
                let current = try #require(try Expected.officers("2024-11-01").first { $0["officer_id"]?.stringValue == officer })
                let previous = try #require(try Expected.officers("2024-10-17").first { $0["officer_id"]?.stringValue == officer })
                try await client.execute(uri: "/api/v1/metrics/officers/\(officer)", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    let data = try Body.data(response)
                    let metrics = try #require(data["metrics"]?.objectValue)
                    Self.checkOfficer(try #require(metrics["current"]?.objectValue), current, "current")
                    Self.checkOfficer(try #require(metrics["previous"]?.objectValue), previous, "previous")
                    let score = { (o: JSONObject) in Int(o["risk_score"]?.numberText ?? "") ?? 0 }
                    let trend = Trend(currentRiskScore: score(current), previousRiskScore: score(previous))
                    #expect(metrics["trend"] == .string(trend.rawValue))
                    let audit = try #require(data["audit_info"]?.objectValue)
                    #expect(audit["audit_status"] == .null && audit["version"] == .number("0"))
                    #expect(data["officer_phone"]?.stringValue?.hasPrefix("+234") == true)
                }
            }
            // At the first date there is no row on or before D-7: previous is null, trend stable.
            try await client.execute(uri: "/api/v1/metrics/officers/OFF0001?date=2024-10-10", method: .get, headers: headers) { response in
                let metrics = try #require(try Body.data(response)["metrics"]?.objectValue)
                #expect(metrics["previous"] == .null)
                #expect(metrics["trend"] == .string("stable"))
            }
        }
    }

    @Test("branches at each date as expected")
    func branches() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        try await app.application.test(.router) { client in
            for date in FixtureDatabase.dates {
                let expected = try Expected.branches(date)
                try await client.execute(uri: "/api/v1/metrics/branches?date=\(date)", method: .get, headers: headers) { response in
                    let rows = try Body.rows(response)
                    #expect(rows.count == expected.count)
                    for row in rows {
                        let match = try #require(expected.first { $0["branch"] == row["branch"] })
                        for field in BranchFields.all.map(\.name) {
                            #expect(Expected.same(row[field], match[field]), "\(date) \(field)")
                        }
                    }
                    let actual = try Body.meta(response)["calculation_date"]
                    #expect(actual == .string(date))
                }
            }
        }
    }
}
