@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `Idempotency-Key` on `POST .../actions` (issue 12): the stored response holds customer names and
/// phone numbers, so it is kept for a bounded time, is replayed masked for a caller who must not see
/// full numbers, and is never replayed to another `sub` or under another scope.
@Suite("Idempotency keys: lifetime, masking on replay, scoping", .serialized)
struct IdempotencyRetentionTests {
    static let database = Task { try await FixtureDatabase.create(poolSize: 6) }
    static let body = "{\"action_type\":\"Audit 20 Top Risk Loans\",\"action_notes\":\"Reviewed\"}"

    /// The phone numbers of `top_risk_loans` in a response.
    static func phones(_ response: TestResponse) throws -> [String] {
        let loans = try Body.data(response)["top_risk_loans"]?.arrayValue?.compactMap(\.objectValue) ?? []
        return loans.compactMap { $0["customer_phone"]?.stringValue }
    }

    /// Posts the action for `officer` with `key` as `headers`' caller.
    static func post(_ client: some TestClientProtocol, officer: String, key: String, _ headers: HTTPFields,
                     body: String = Self.body) async throws -> TestResponse {
        var keyed = headers
        keyed[.idempotencyKey] = key
        return try await client.execute(uri: "/api/v1/audit/officers/\(officer)/actions", method: .post, headers: keyed,
                                        body: ByteBuffer(string: body)) { $0 }
    }

    @Test("a body stored for an admin is replayed masked to a non-admin with the same sub and key; the admin gets it unmasked")
    func replayMaskedForRole() async throws {
        let db = try await Self.database.value
        let app = try await TestApp.make(database: db)
        let admin = try await app.jsonHeaders("admin", subject: "shared-sub")
        let auditor = try await app.jsonHeaders("auditor", subject: "shared-sub")
        try await app.application.test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/audit/officers/OFF0001/assignee", method: .put, headers: admin,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"TM002\"}")) { $0.status }
            let first = try await Self.post(client, officer: "OFF0001", key: "mask-1", admin)
            #expect(first.status == .ok)
            let full = try Self.phones(first)
            #expect(!full.isEmpty)
            #expect(full.allSatisfy { !$0.hasPrefix("***") })
            let replayed = try await Self.post(client, officer: "OFF0001", key: "mask-1", auditor)
            #expect(replayed.status == .ok)
            let masked = try Self.phones(replayed)
            #expect(masked == full.map(PhoneMask.mask))
            let text = String(decoding: replayed.body.readableBytesView, as: UTF8.self)
            for phone in full { #expect(!text.contains(phone)) }
            // Everything but the phones is the first response.
            let versions = (try Body.data(replayed)["version"], try Body.data(first)["version"])
            #expect(versions.0 == versions.1)
            let again = try await Self.post(client, officer: "OFF0001", key: "mask-1", admin)
            let againPhones = try Self.phones(again)
            #expect(againPhones == full)
        }
        #expect(try await db.count("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0001' AND action = 'action'") == 1)
    }

    @Test("keys are per sub: another user's same key records a new action; another scope of the same sub is a 422, never a replay")
    func keysArePerSubjectAndScope() async throws {
        let db = try await Self.database.value
        let app = try await TestApp.make(database: db)
        let first = try await app.jsonHeaders("admin", subject: "user-a")
        let other = try await app.jsonHeaders("admin", subject: "user-b")
        try await app.application.test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/audit/officers/OFF0002/assignee", method: .put, headers: first,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"TM002\"}")) { $0.status }
            let a = try await Self.post(client, officer: "OFF0002", key: "shared-key", first)
            let b = try await Self.post(client, officer: "OFF0002", key: "shared-key", other)
            #expect(a.status == .ok && b.status == .ok)
            let versions = (try Body.data(b)["version"], try Body.data(a)["version"])
            #expect(versions.0 != versions.1)
            let region = try await db.pool.query("SELECT region FROM officers WHERE officer_id = 'OFF0002'")[0].decode(String.self, "region")
            let scoped = try await app.jsonHeaders("admin", regions: [region], subject: "user-a")
            let retried = try await Self.post(client, officer: "OFF0002", key: "shared-key", scoped)
            #expect(retried.status == .unprocessableContent)
        }
        #expect(try await db.count("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0002' AND action = 'action'") == 2)
    }

    @Test("a key lives IDEMPOTENCY_KEY_TTL_HOURS; once expired it is unused and the retry records a new action")
    func expiredKeyIsUnused() async throws {
        let db = try await Self.database.value
        var app = try await TestApp.make(database: db)
        app.dependencies.auditRepository = PostgresAuditRepository(pool: db.pool, timeZone: "Africa/Lagos", idempotencyKeyTTLHours: 2)
        let json = try await app.jsonHeaders("auditor", subject: "ttl-user")
        try await app.application.test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/audit/officers/OFF0004/assignee", method: .put, headers: json,
                                         body: ByteBuffer(string: "{\"assignee_id\":\"TM002\"}")) { $0.status }
            let first = try await Self.post(client, officer: "OFF0004", key: "ttl-1", json)
            #expect(first.status == .ok)
            let lifetime = try await db.count("""
                SELECT extract(epoch FROM expires_at - created_at)::int AS n FROM api_idempotency_keys
                WHERE actor = 'ttl-user' AND idempotency_key = 'ttl-1'
                """)
            #expect(lifetime == 2 * 3600)
            // The key's lifetime passes.
            try await db.pool.query("""
                UPDATE api_idempotency_keys SET expires_at = now() - interval '1 second', created_at = now() - interval '2 hours'
                WHERE actor = 'ttl-user' AND idempotency_key = 'ttl-1'
                """)
            let retry = try await Self.post(client, officer: "OFF0004", key: "ttl-1", json)
            #expect(retry.status == .ok)
            let versions = (try Body.data(retry)["version"], try Body.data(first)["version"])
            #expect(versions.0 != versions.1)
        }
        #expect(try await db.count("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0004' AND action = 'action'") == 2)
        #expect(try await db.count("""
            SELECT count(*) AS n FROM api_idempotency_keys WHERE actor = 'ttl-user' AND expires_at > now()
            """) == 1)
    }

    @Test("IDEMPOTENCY_KEY_TTL_HOURS: 24 by default, a bad value names the key")
    func configuration() throws {
        let base = ["DATABASE_URL": "postgres://u@127.0.0.1:5432/d", "JWT_SECRET": TestApp.secret]
        #expect(try APIConfiguration(environment: base).idempotencyKeyTTLHours == 24)
        #expect(try APIConfiguration(environment: base.merging(["IDEMPOTENCY_KEY_TTL_HOURS": "48"]) { $1 }).idempotencyKeyTTLHours == 48)
        for bad in ["0", "forever", "721"] {
            let error = #expect(throws: APIConfigurationError.self) {
                try APIConfiguration(environment: base.merging(["IDEMPOTENCY_KEY_TTL_HOURS": bad]) { $1 })
            }
            #expect(error?.key == "IDEMPOTENCY_KEY_TTL_HOURS")
        }
    }

    @Test("replay masking touches only phone fields and keeps numbers as written")
    func replayMaskingUnit() throws {
        let stored = #"{"officer_id":"OFF1","version":3,"top_risk_loans":[{"loan_id":"L1","customer_name":"Ada","customer_phone":"+234-803-123-4567","risk_score":0.1250,"outstanding_balance":1000.50}]}"#
        let masked = String(decoding: try IdempotentReplay.body(stored, maskPhones: true), as: UTF8.self)
        #expect(masked == stored.replacingOccurrences(of: "+234-803-123-4567", with: "***-***-4567"))
        #expect(try IdempotentReplay.body(stored, maskPhones: false) == Array(stored.utf8))
    }
}
