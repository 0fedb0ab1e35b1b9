@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Row-level scope: a branches-scoped token sees and writes only inside its scope on every
/// endpoint, including filter options and cached responses (primed by an unscoped request first).
@Suite("Row-level scope", .serialized)
struct ScopeTests {
    static let gets = ["/api/v1/metrics/officers?per_page=500", "/api/v1/metrics/branches", "/api/v1/filters/options",
                       "/api/v1/loans/fimr-drilldown?per_page=500", "/api/v1/loans/early-indicators-drilldown?per_page=500",
                       "/api/v1/metrics/officers/OFF0003", "/api/v1/metrics/officers/OFF0001"]

    @Test("an Ibadan-scoped token sees only Ibadan, even after an unscoped request filled the cache")
    func scopedReads() async throws {
        try await FixtureDatabase.create().using { db in
            try await LocalRedis.with { redis in
                let app = try await TestApp.make(database: db, redisURL: redis.url)
                let admin = try await app.headers("admin")
                let scoped = try await app.headers("admin", branches: ["Ibadan"])
                let expected = try Expected.officers("2024-11-01")
                let loans = try Expected.loans("2024-11-01")
                try await app.application.test(.router) { client in
                    for uri in Self.gets {
                        _ = try await client.execute(uri: uri, method: .get, headers: admin) { $0.status }
                    }
                    try await client.execute(uri: Self.gets[0], method: .get, headers: scoped) { response in
                        let rows = try Body.rows(response)
                        #expect(rows.count == expected.filter { $0["branch"] == .string("Ibadan") }.count)
                        #expect(rows.allSatisfy { $0["branch"] == .string("Ibadan") })
                        #expect(!rows.isEmpty)
                    }
                    try await client.execute(uri: Self.gets[1], method: .get, headers: scoped) { response in
                        let actual = try Body.rows(response).compactMap { $0["branch"]?.stringValue }
                        #expect(actual == ["Ibadan"])
                    }
                    try await client.execute(uri: Self.gets[2], method: .get, headers: scoped) { response in
                        let data = try Body.data(response)
                        #expect(data["branches"]?.arrayValue?.count == 1)
                        #expect(data["officers"]?.arrayValue?.allSatisfy { $0.objectValue?["branch"] == .string("Ibadan") } == true)
                    }
                    for uri in [Self.gets[3], Self.gets[4]] {
                        try await client.execute(uri: uri, method: .get, headers: scoped) { response in
                            let rows = try Body.rows(response)
                            #expect(rows.count == loans.members.filter { $0.value.objectValue?["branch"] == .string("Ibadan") }.count)
                            #expect(rows.allSatisfy { $0["branch"] == .string("Ibadan") })
                        }
                    }
                    try await client.execute(uri: Self.gets[5], method: .get, headers: scoped) { #expect($0.status == .ok) }
                    try await client.execute(uri: Self.gets[6], method: .get, headers: scoped) { #expect($0.status == .notFound) }
                    // Both claims: the intersection (Ibadan is not in North Central), so nothing.
                    let none = try await app.headers("admin", regions: ["North Central"], branches: ["Ibadan"])
                    try await client.execute(uri: Self.gets[0], method: .get, headers: none) { response in
                        let actual = try Body.rows(response)
                        #expect(actual.isEmpty)
                    }
                }
            }
        }
    }

    @Test("a scoped token writes only inside its scope (404 outside, as if the officer did not exist)")
    func scopedWrites() async throws {
        try await FixtureDatabase.create().using { db in
            let app = try await TestApp.make(database: db)
            let json = try await app.jsonHeaders("auditor", branches: ["Ibadan"])
            try await app.application.test(.router) { client in
                for (officer, status) in [("OFF0001", HTTPResponse.Status.notFound), ("OFF0003", .ok)] {
                    try await client.execute(uri: "/api/v1/audit/officers/\(officer)/assignee", method: .put, headers: json,
                                             body: ByteBuffer(string: "{\"assignee_id\":\"TM001\"}")) { #expect($0.status == status) }
                    try await client.execute(uri: "/api/v1/audit/officers/\(officer)/status", method: .put, headers: json,
                                             body: ByteBuffer(string: "{\"audit_status\":\"In Progress\"}")) { #expect($0.status == status) }
                    try await client.execute(uri: "/api/v1/audit/officers/\(officer)/actions", method: .post, headers: json,
                                             body: ByteBuffer(string: "{\"action_type\":\"Review\"}")) { response in
                        #expect(response.status == status)
                        if status == .ok {
                            let loans = try Body.data(response)["top_risk_loans"]?.arrayValue ?? []
                            #expect(loans.allSatisfy { $0.objectValue?["customer_phone"]?.stringValue?.hasPrefix("***") ?? true })
                        }
                    }
                    try await client.execute(uri: "/api/v1/audit/officers/\(officer)/history", method: .get, headers: json) {
                        #expect($0.status == status)
                    }
                }
            }
            let rows = try await db.pool.query("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0001'")
            let actual = try rows[0].decode(Int.self, "n")
            #expect(actual == 0)
        }
    }
}
