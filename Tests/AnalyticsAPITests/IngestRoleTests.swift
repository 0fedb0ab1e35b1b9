@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Who may ingest and read a batch's rejects, and what a scoped ingest token may write: a hostile
/// token of the same role, limited to one branch, trying to write into another.
@Suite("Ingest roles and scope")
struct IngestRoleTests {
    typealias R = IngestRecords

    @Test("ingest and admin may POST; viewer and auditor get 403, no token 401; rejects: own batch or admin, else 404")
    func matrix() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let owner = try await app.headers("ingest", subject: "lender-a")
            let otherIngest = try await app.headers("ingest", subject: "lender-b")
            let admin = try await app.headers("admin", subject: "root")
            try await app.application.test(.router) { client in
                for role in ["viewer", "auditor"] {
                    let response = try await IngestCalls.post(client, R.ndjson([R.officer("V1")]), headers: try await app.headers(role))
                    #expect(response.status == .forbidden, "\(role)")
                }
                let anonymous = try await IngestCalls.post(client, R.ndjson([R.officer("V1")]), headers: [:])
                #expect(anonymous.status == .unauthorized)
                let byAdmin = try await IngestCalls.load(client, R.ndjson([R.repayment("P9", loan: "NONE")]), headers: admin)
                #expect(IngestCalls.number(byAdmin, "rejected") == 1)
                let data = try await IngestCalls.load(client, R.ndjson([R.repayment("P1", loan: "NONE")]), headers: owner)
                let batch = try #require(data["batch_id"]?.stringValue)
                #expect(try await IngestCalls.rejects(client, batch: batch, headers: owner).status == .ok)
                #expect(try await IngestCalls.rejects(client, batch: batch, headers: admin).status == .ok)
                #expect(try await IngestCalls.rejects(client, batch: batch.uppercased(), headers: owner).status == .ok)
                let stranger = try await IngestCalls.rejects(client, batch: batch, headers: otherIngest)
                #expect(stranger.status == .notFound)
                #expect(try Body.errorCode(stranger) == "not_found")
                for role in ["viewer", "auditor"] {
                    let denied = try await IngestCalls.rejects(client, batch: batch, headers: try await app.headers(role, subject: "lender-a"))
                    #expect(denied.status == .forbidden, "\(role)")
                }
                #expect(try await IngestCalls.rejects(client, batch: batch, headers: [:]).status == .unauthorized)
                for id in ["not-a-uuid", UUID().uuidString, "'%20OR%201=1"] {
                    #expect(try await IngestCalls.rejects(client, batch: id, headers: admin).status == .notFound, "\(id)")
                }
                #expect(try await IngestCalls.rejects(client, batch: batch, query: "?page=0", headers: owner).status == .badRequest)
                #expect(try await IngestCalls.rejects(client, batch: batch, query: "?sort=x", headers: owner).status == .badRequest)
                // An ingest token reads nothing else.
                for uri in ["/api/v1/metrics/officers", "/api/v1/metrics/branches", "/api/v1/filters/options", "/api/v1/audit/team-members",
                            "/api/v1/loans/fimr-drilldown", "/api/v1/audit/officers/V1/history"] {
                    let response = try await client.execute(uri: uri, method: .get, headers: owner)
                    #expect(response.status == .forbidden, "\(uri)")
                }
            }
        }
    }

    @Test("a token scoped to one branch cannot overwrite another branch's loan, officer or customer, nor touch its repayments")
    func hostileScopedToken() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let admin = try await app.headers("admin")
            let kano = try await app.headers("ingest", branches: ["Kano"], subject: "kano-system")
            try await app.application.test(.router) { client in
                // The book as the admin loads it: an officer, customer, loan and repayment in Lagos.
                _ = try await IngestCalls.load(client, R.ndjson([
                    R.officer("LAG-O", region: "South", branch: "Lagos"), R.customer("LAG-C"),
                    R.loan("LAG-L", officer: "LAG-O", region: "South", branch: "Lagos", customer: "LAG-C"),
                    R.repayment("LAG-P", loan: "LAG-L"),
                    R.officer("KAN-O", region: "North", branch: "Kano"), R.loan("KAN-L0", officer: "KAN-O"),
                ]), headers: admin)
                let before = try await Self.snapshot(db)
                let hostile = R.ndjson([
                    R.officer("LAG-O", region: "North", branch: "Kano", name: "Taken Over"),        // moves Lagos' officer into Kano
                    R.loan("LAG-L", officer: "KAN-O", region: "North", branch: "Kano", customer: "LAG-C"), // moves Lagos' loan into Kano
                    R.repayment("EVIL-P", loan: "LAG-L"),                                          // pays into Lagos' loan
                    R.repayment("LAG-P", loan: "KAN-L0", amount: "5.00"),                          // moves Lagos' repayment to Kano
                    R.customer("LAG-C", name: "Renamed"),                                          // a customer with a Lagos loan
                    R.loan("NEW-L", officer: "LAG-O", region: "North", branch: "Kano"),             // a Kano loan in Lagos' officer's book
                    R.loan("OUT-L", officer: "NEW-O", region: "South", branch: "Lagos"),            // a new loan outside
                    R.officer("OUT-O", region: "South", branch: "Lagos"),                           // a new officer outside
                    R.teamMember("TM-X"),                                                         // belongs to no branch
                ])
                let response = try await IngestCalls.post(client, hostile, headers: kano)
                #expect(response.status == .ok)
                let data = try Body.data(response)
                #expect(IngestCalls.number(data, "accepted") == 0)
                #expect(IngestCalls.number(data, "rejected") == 9)
                let fields = (data["rejects"]?.arrayValue ?? []).map { reject in
                    (reject.objectValue?["reasons"]?.arrayValue ?? []).compactMap { $0.objectValue?["field"]?.stringValue }
                }
                #expect(fields == [["officer_id"], ["loan_id"], ["loan_id"], ["repayment_id"], ["customer_id"], ["officer_id"],
                                   ["branch"], ["branch"], ["member_id"]], "\(fields)")
                let messages = (data["rejects"]?.arrayValue ?? []).map(\.jsonText)
                #expect(messages.dropLast().allSatisfy { $0.contains("outside the regions and branches this token may write") })
                #expect(messages.last?.contains("team members belong to no branch") == true)
                // A reason about another branch's row never says where that row is.
                #expect(messages.prefix(6).allSatisfy { !$0.contains("Lagos") && !$0.contains("South") }, "\(messages)")
                // Nothing changed; everything is in etl_rejects under the batch.
                #expect(try await Self.snapshot(db) == before)
                let batch = try #require(data["batch_id"]?.stringValue)
                #expect(try await db.count("SELECT count(*)::int AS n FROM etl_rejects WHERE source = $1", ["api:\(batch)"]) == 9)

                // Inside its branch the same token writes freely, a new customer and a loan of its own officer included.
                let allowed = try await IngestCalls.load(client, R.ndjson([
                    R.officer("KAN-O", region: "North", branch: "Kano", name: "Renamed Kano"), R.customer("KAN-C"),
                    R.loan("KAN-L", officer: "KAN-O", region: "North", branch: "Kano", customer: "KAN-C"),
                    R.repayment("KAN-P", loan: "KAN-L"), R.loan("KAN-L2", officer: "NEW-O", region: "North", branch: "Kano"),
                ]), headers: kano)
                #expect(IngestCalls.number(allowed, "accepted") == 5)
                #expect(IngestCalls.number(allowed, "rejected") == 0)
                // A region-scoped token: the intersection of both claims applies when both are given.
                let both = try await app.headers("ingest", regions: ["North"], branches: ["Lagos"], subject: "odd")
                let none = try await IngestCalls.load(client, R.ndjson([R.officer("X1", region: "North", branch: "Kano"),
                                                                       R.officer("X2", region: "South", branch: "Lagos")]), headers: both)
                #expect(IngestCalls.number(none, "rejected") == 2)
            }
            #expect(try await db.count("SELECT count(*)::int AS n FROM loan_accounts WHERE loan_id = 'KAN-L2' AND officer_id = 'NEW-O'") == 1)
        }
    }

    @Test("scope across chunks: a loan written in one chunk is inside the scope for the repayments of the next")
    func scopeAcrossChunks() async throws {
        try await TestDatabase.with(poolSize: 6) { db in
            var app = try await TestApp.make(database: db)
            app.dependencies.ingestChunkSize = 2
            let kano = try await app.headers("ingest", branches: ["Kano"], subject: "kano-system")
            let admin = try await app.headers("admin")
            try await app.application.test(.router) { client in
                _ = try await IngestCalls.load(client, R.ndjson([R.loan("LAG-L", officer: "LAG-O", region: "South", branch: "Lagos")]),
                                               headers: admin)
                let lines = [R.officer("K1"), R.loan("K-L1", officer: "K1"), R.repayment("K-P1", loan: "K-L1"), R.repayment("K-P2", loan: "K-L1"),
                             R.loan("K-L2", officer: "K1"), R.repayment("X-P", loan: "LAG-L"), R.repayment("K-P3", loan: "K-L2")]
                let data = try await IngestCalls.load(client, R.ndjson(lines), headers: kano)
                #expect(IngestCalls.number(data, "accepted") == 6)
                #expect(IngestCalls.number(data, "rejected") == 1)
                let reject = try #require(data["rejects"]?.arrayValue?.first?.objectValue)
                #expect(reject["entity_id"] == .string("X-P"))
                #expect(reject["index"] == .number("5"))
            }
        }
    }

    /// Every source row, as text, for "nothing changed".
    static func snapshot(_ db: TestDatabase) async throws -> [String] {
        var lines: [String] = []
        for (table, key) in [("officers", "officer_id"), ("customers", "customer_id"), ("loan_accounts", "loan_id"),
                             ("repayments", "repayment_id"), ("team_members", "member_id")] {
            let rows = try await db.pool.query("""
                SELECT (to_jsonb(t) - 'created_at' - 'updated_at')::text AS j FROM \(table) t ORDER BY \(key)
                """)
            lines += try rows.map { "\(table) " + (try $0.decode(String.self, "j")) }
        }
        return lines
    }
}
