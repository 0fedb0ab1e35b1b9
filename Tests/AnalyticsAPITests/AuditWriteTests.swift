@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Audit writes on a fixture database of this suite's own: audit_log in the same transaction,
/// If-Match, no lost update under concurrency, idempotent actions, history, reads show the change.
@Suite("Audit writes", .serialized)
struct AuditWriteTests {
    /// Fifty concurrent writes to one officer queue on its row lock, eight at a time: on a loaded
    /// machine the last ones wait longer than the default 10 s for a connection. What is checked is
    /// that none is lost or doubled, not how fast they are, so they may wait.
    static let database = Task { try await FixtureDatabase.create(poolSize: 8, acquireTimeout: .seconds(90)) }

    @Test("fifty concurrent status updates: fifty audit_log rows, final version right; stale If-Match is 412 and changes nothing")
    func concurrentUpdates() async throws {
        let db = try await Self.database.value
        let app = try await TestApp.make(database: db)
        let json = try await app.jsonHeaders("auditor", subject: "auditor-1")
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/audit/officers/OFF0003/assignee", method: .put, headers: json,
                                     body: ByteBuffer(string: "{\"assignee_id\":\"TM001\"}")) { response in
                #expect(response.status == .ok)
                let data = try Body.data(response)
                #expect(data["version"] == .number("1"))
                let actual = try Body.object(response)["message"]
                #expect(actual == .string("Assignee updated successfully"))
            }
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        let status = i % 2 == 0 ? "In Progress" : "Resolved"
                        return try await client.execute(uri: "/api/v1/audit/officers/OFF0003/status", method: .put, headers: json,
                                                        body: ByteBuffer(string: "{\"audit_status\":\"\(status)\",\"audit_notes\":\"n\(i)\"}")) { $0.status }
                    }
                }
                for try await status in group { #expect(status == .ok) }
            }
            var stale = json
            stale[.ifMatch] = "\"1\""
            try await client.execute(uri: "/api/v1/audit/officers/OFF0003/status", method: .put, headers: stale,
                                     body: ByteBuffer(string: "{\"audit_status\":\"Assigned\"}")) { response in
                #expect(response.status == .preconditionFailed)
            }
            var fresh = json
            fresh[.ifMatch] = "51"
            try await client.execute(uri: "/api/v1/audit/officers/OFF0003/status", method: .put, headers: fresh,
                                     body: ByteBuffer(string: "{\"audit_status\":\"Resolved\"}")) { response in
                #expect(response.status == .ok)
                let actual = try Body.data(response)["version"]
                #expect(actual == .number("52"))
            }
        }
        let counted1 = try await db.count("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0003' AND action = 'status'")
        #expect(counted1 == 51)
        let counted2 = try await db.count("SELECT version AS n FROM audit_tracking WHERE officer_id = 'OFF0003'")
        #expect(counted2 == 52)
        let counted3 = try await db.count("SELECT count(DISTINCT request_id) AS n FROM audit_log WHERE officer_id = 'OFF0003'")
        #expect(counted3 == 52)
        let counted4 = try await db.count("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0003' AND actor <> 'auditor-1'")
        #expect(counted4 == 0)
    }

    @Test("a write shows at once in the officer's reads; history lists it newest first")
    func readsAfterWrite() async throws {
        let db = try await Self.database.value
        let app = try await TestApp.make(database: db)
        let headers = try await app.headers("auditor")
        let json = try await app.jsonHeaders("auditor")
        let member = try #require(try Expected.input()["team_members"]?.arrayValue?.first?.objectValue)
        let name = try #require(member["member_name"]?.stringValue)
        let memberID = try #require(member["member_id"]?.stringValue)
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics/officers/OFF0001", method: .get, headers: headers) { response in
                let actual = try Body.data(response)["audit_info"]?.objectValue?["assignee"]
                #expect(actual == .null)
            }
            try await client.execute(uri: "/api/v1/audit/officers/OFF0001/assignee", method: .put, headers: json,
                                     body: ByteBuffer(string: "{\"assignee_id\":\"\(memberID)\",\"assignee_name\":\"\(name)\"}")) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/audit/officers/OFF0001/status", method: .put, headers: json,
                                     body: ByteBuffer(string: "{\"audit_status\":\"In Progress\",\"audit_notes\":\"Started\"}")) { response in
                #expect(response.status == .ok)
                let actual = try Body.data(response)["last_audit_date"]?.stringValue?.count
                #expect(actual == 10)
            }
            try await client.execute(uri: "/api/v1/metrics/officers/OFF0001", method: .get, headers: headers) { response in
                let audit = try #require(try Body.data(response)["audit_info"]?.objectValue)
                #expect(audit["assignee"] == .string("Assigned to \(name)"))
                #expect(audit["audit_status"] == .string("In Progress"))
                #expect(audit["audit_notes"] == .string("Started"))
            }
            try await client.execute(uri: "/api/v1/metrics/officers?officer_id=OFF0001", method: .get, headers: headers) { response in
                let row = try #require(try Body.rows(response).first)
                #expect(row["assignee"] == .string("Assigned to \(name)"))
                #expect(row["audit_status"] == .string("In Progress"))
            }
            try await client.execute(uri: "/api/v1/audit/officers/OFF0001/history", method: .get, headers: headers) { response in
                let rows = try Body.rows(response)
                #expect(rows.map { $0["action"]?.stringValue } == ["status", "assignee"])
                #expect(rows.first?["new_value"]?.objectValue?["audit_status"] == .string("In Progress"))
            }
        }
    }

    @Test("actions: top 20 risk loans; a retry with the same Idempotency-Key returns the first response and records once")
    func idempotentActions() async throws {
        let db = try await Self.database.value
        let app = try await TestApp.make(database: db)
        let json = try await app.jsonHeaders("admin")
        let expected = try Expected.loans("2024-11-01")
        try await app.application.test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/audit/officers/OFF0005/assignee", method: .put, headers: json,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"TM002\"}")) { $0.status }
            var keyed = json
            keyed[.idempotencyKey] = "retry-1"
            let body = "{\"action_type\":\"Audit 20 Top Risk Loans\",\"action_notes\":\"Reviewed\"}"
            let first = try await client.execute(uri: "/api/v1/audit/officers/OFF0005/actions", method: .post, headers: keyed,
                                                 body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                return Array(response.body.readableBytesView)
            }
            let second = try await client.execute(uri: "/api/v1/audit/officers/OFF0005/actions", method: .post, headers: keyed,
                                                  body: ByteBuffer(string: body)) { Array($0.body.readableBytesView) }
            #expect(first == second)
            try await client.execute(uri: "/api/v1/audit/officers/OFF0005/actions", method: .post, headers: keyed,
                                     body: ByteBuffer(string: "{\"action_type\":\"Other\"}")) { response in
                #expect(response.status == .unprocessableContent)
            }
            let parsed = try JSONReader().parse(first)
            let data = try #require(parsed.objectValue?["data"]?.objectValue)
            let loans = data["top_risk_loans"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(!loans.isEmpty)
            // Active loans of the officer (status now), by current_dpd desc then outstanding desc.
            let active = expected.members.compactMap { member -> (String, Int, Decimal)? in
                guard let loan = member.value.objectValue, loan["officer_id"] == .string("OFF0005"), loan["status"] == .string("Active"),
                      let dpd = loan["current_dpd"]?.numberText.flatMap({ Int($0) }),
                      let out = loan["total_outstanding"]?.stringValue.flatMap({ Decimal(string: $0) }) else { return nil }
                return (member.key, dpd, out)
            }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : ($0.2 != $1.2 ? $0.2 > $1.2 : $0.0 < $1.0) }
            #expect(loans.compactMap { $0["loan_id"]?.stringValue } == Array(active.prefix(20).map(\.0)))
            for loan in loans {
                let id = loan["loan_id"]?.stringValue ?? ""
                #expect(Expected.same(loan["risk_score"], expected[id]?.objectValue?["risk_score"]))
            }
        }
        let actual = try await db.count("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0005' AND action = 'action'")
        #expect(actual == 1)
    }
}
