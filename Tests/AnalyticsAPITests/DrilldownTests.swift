@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Drilldowns, filter options and team members against the fixture (loans as of 2024-11-01).
@Suite("Drilldowns, filter options and team members")
struct DrilldownTests {
    static let loanFields = ["current_dpd", "dpd_bucket", "fimr_tagged", "early_indicator_tagged", "days_late",
                             "first_payment_due_date", "first_payment_received_date", "officer_id", "branch"]

    @Test("fimr and early-indicator drilldowns list the loans that exist, with the expected engine fields")
    func drilldowns() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("admin")
        let expected = try Expected.loans("2024-11-01")
        try await app.application.test(.router) { client in
            for path in ["fimr-drilldown", "early-indicators-drilldown"] {
                try await client.execute(uri: "/api/v1/loans/\(path)?per_page=500", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    let rows = try Body.rows(response)
                    #expect(rows.count == expected.members.count)
                    let actual = try Body.meta(response)["calculation_date"]
                    #expect(actual == .string("2024-11-01"))
                    for row in rows {
                        let id = row["loan_id"]?.stringValue ?? ""
                        let loan = try #require(expected[id]?.objectValue, "unexpected loan \(id)")
                        for field in Self.loanFields {
                            #expect(Expected.same(row[field], loan[field]), "\(id) \(field)")
                        }
                        #expect(Expected.same(row["outstanding_balance"], loan["total_outstanding"]), "\(id) outstanding")
                        #expect(Expected.same(row["risk_score"], loan["risk_score"]), "\(id) risk_score")
                        #expect(Expected.same(row["status"], loan["status_as_of"]), "\(id) status")
                    }
                }
            }
            let fimr = expected.members.filter { $0.value.objectValue?["fimr_tagged"] == .bool(true) }.count
            try await client.execute(uri: "/api/v1/loans/fimr-drilldown?fimr_tagged=true", method: .get, headers: headers) { response in
                let actual = try Body.meta(response)["total"]
                #expect(actual == .number(String(fimr)))
            }
            let early = expected.members.filter { $0.value.objectValue?["early_indicator_tagged"] == .bool(true) }.count
            try await client.execute(uri: "/api/v1/loans/early-indicators-drilldown?early_indicator_tagged=true", method: .get,
                                     headers: headers) { response in
                let actual = try Body.meta(response)["total"]
                #expect(actual == .number(String(early)))
            }
        }
    }

    @Test("keyset cursor walks every loan once; a tampered cursor is 400")
    func keyset() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        let expected = try Expected.loans("2024-11-01")
        try await app.application.test(.router) { client in
            var seen: [String] = []
            var cursor: String?
            var lastCursor = ""
            repeat {
                let uri = "/api/v1/loans/fimr-drilldown?limit=7" + (cursor.map { "&cursor=\($0)" } ?? "")
                cursor = try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    seen += try Body.rows(response).compactMap { $0["loan_id"]?.stringValue }
                    let meta = try Body.meta(response)
                    #expect(meta["has_more"] == .bool(meta["next_cursor"] != .null))
                    return meta["next_cursor"]?.stringValue
                }
                if let cursor { lastCursor = cursor }
            } while cursor != nil
            #expect(seen == expected.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            var tampered = Array(lastCursor)
            tampered[2] = tampered[2] == "A" ? "B" : "A"
            try await client.execute(uri: "/api/v1/loans/fimr-drilldown?limit=7&cursor=\(String(tampered))", method: .get,
                                     headers: headers) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/v1/loans/fimr-drilldown?limit=7&branch=Ibadan&cursor=\(lastCursor)", method: .get,
                                     headers: headers) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("phones are masked for every role but admin")
    func masking() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        try await app.application.test(.router) { client in
            for role in ["viewer", "auditor", "admin"] {
                let headers = try await app.headers(role)
                try await client.execute(uri: "/api/v1/loans/fimr-drilldown?fields=loan_id,customer_phone", method: .get, headers: headers) { response in
                    let phones = try Body.rows(response).compactMap { $0["customer_phone"]?.stringValue }
                    #expect(!phones.isEmpty)
                    #expect(phones.allSatisfy { $0.hasPrefix("***-***-") } == (role != "admin"))
                }
                try await client.execute(uri: "/api/v1/metrics/officers/OFF0001", method: .get, headers: headers) { response in
                    let phone = try Body.data(response)["officer_phone"]?.stringValue ?? ""
                    #expect(phone.hasPrefix("***-***-") == (role != "admin"))
                    if role != "admin" { #expect(phone.count == 12) }
                }
            }
        }
    }

    @Test("filter options and team members come from the fixture's master data")
    func optionsAndMembers() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        let input = try Expected.input()
        let officers = input["officers"]?.arrayValue?.compactMap(\.objectValue) ?? []
        let members = input["team_members"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(!officers.isEmpty && !members.isEmpty)
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/filters/options", method: .get, headers: headers) { response in
                let data = try Body.data(response)
                let regions = Set(officers.compactMap { $0["region"]?.stringValue }).sorted()
                #expect(data["regions"]?.arrayValue?.compactMap(\.stringValue) == regions)
                #expect(data["officers"]?.arrayValue?.count == officers.count)
                #expect(data["branches"]?.arrayValue?.count == Set(officers.compactMap { $0["branch"]?.stringValue }).count)
                #expect(data["risk_bands"]?.arrayValue?.count == 4)
            }
            try await client.execute(uri: "/api/v1/audit/team-members", method: .get, headers: headers) { response in
                let rows = try Body.rows(response)
                #expect(rows.count == members.count)
                for member in members {
                    let row = try #require(rows.first { $0["member_id"] == member["member_id"] })
                    #expect(row["member_name"] == member["member_name"])
                    #expect(row["is_active"] == (member["is_active"] ?? .bool(true)))
                }
            }
        }
    }
}
