@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Every error status of API.md at least once, always in the JSON envelope. None of these requests
/// changes anything, so they share the read-only fixture database.
@Suite("Error paths")
struct ErrorPathTests {
    static func expectError(_ response: TestResponse, _ status: HTTPResponse.Status, _ code: String,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, sourceLocation: sourceLocation)
        let body = try Body.object(response)
        #expect(body["success"] == .bool(false), sourceLocation: sourceLocation)
        let actual = try Body.errorCode(response)
        #expect(actual == code, sourceLocation: sourceLocation)
        #expect(body["error"]?.objectValue?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(response.headers[.xRequestID]?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test("400: unknown parameter, bad date, per_page over 500, bad sort/fields, range over 93 days")
    func badParameters() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        try await app.application.test(.router) { client in
            for uri in ["/api/v1/metrics/officers?brnach=Ibadan", "/api/v1/metrics/officers?date=2024-13-01",
                        "/api/v1/metrics/officers?date=yesterday", "/api/v1/metrics/officers?per_page=501",
                        "/api/v1/metrics/officers?sort=officer_name", "/api/v1/metrics/officers?fields=officer_id,nope",
                        "/api/v1/metrics/officers?start_date=2024-01-01&end_date=2024-06-01",
                        "/api/v1/metrics/officers?risk_band=Purple", "/api/v1/loans/fimr-drilldown?per_page=501",
                        "/api/v1/loans/fimr-drilldown?fimr_tagged=maybe", "/api/v1/loans/fimr-drilldown?cursor=abc.def",
                        "/api/v1/loans/fimr-drilldown?limit=10&page=2", "/api/v1/metrics/branches?date=2024-02-30",
                        "/api/v1/filters/options?x=1", "/api/v1/audit/team-members?is_active=yes"] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    try Self.expectError(response, .badRequest, "bad_request")
                }
            }
            try await client.execute(uri: "/api/v1/metrics/officers?brnach=Ibadan", method: .get, headers: headers) { response in
                let actual = try Body.object(response)["error"]?.objectValue?["message"]?.stringValue?.contains("brnach")
                #expect(actual == true)
            }
        }
    }

    @Test("401 without or with a bad token, 403 for a role below the route's")
    func authErrors() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics/officers", method: .get) { response in
                try Self.expectError(response, .unauthorized, "unauthorized")
            }
            try await client.execute(uri: "/api/v1/audit/officers/OFF0001/status", method: .put, headers: try await app.headers("viewer"),
                                     body: ByteBuffer(string: "{\"audit_status\":\"Assigned\"}")) { response in
                try Self.expectError(response, .forbidden, "forbidden")
            }
        }
    }

    @Test("404 unknown officer, member, date and route; 405 wrong method")
    func notFound() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("auditor")
        let json = try await app.jsonHeaders("auditor")
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics/officers/NOPE", method: .get, headers: headers) { response in
                try Self.expectError(response, .notFound, "not_found")
            }
            try await client.execute(uri: "/api/v1/metrics/officers?date=2020-01-01", method: .get, headers: headers) { response in
                try Self.expectError(response, .notFound, "not_found")
            }
            try await client.execute(uri: "/api/v1/audit/officers/NOPE/status", method: .put, headers: json,
                                     body: ByteBuffer(string: "{\"audit_status\":\"Assigned\"}")) { response in
                try Self.expectError(response, .notFound, "not_found")
            }
            try await client.execute(uri: "/api/v1/audit/officers/OFF0001/assignee", method: .put, headers: json,
                                     body: ByteBuffer(string: "{\"assignee_id\":\"TM999\"}")) { response in
                try Self.expectError(response, .notFound, "not_found")
            }
            try await client.execute(uri: "/api/v1/nothing-here", method: .get, headers: headers) { response in
                try Self.expectError(response, .notFound, "not_found")
            }
        }
    }

    @Test("400 malformed JSON and bad values, 415 wrong content type, 413 oversized body, 422 inactive or renamed assignee")
    func bodyErrors() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let json = try await app.jsonHeaders("auditor")
        var plain = json
        plain[.contentType] = "text/plain"
        let text = plain
        try await app.application.test(.router) { client in
            let uri = "/api/v1/audit/officers/OFF0001/status"
            try await client.execute(uri: uri, method: .put, headers: json, body: ByteBuffer(string: "{\"audit_status\":")) { response in
                try Self.expectError(response, .badRequest, "bad_request")
            }
            try await client.execute(uri: uri, method: .put, headers: json, body: ByteBuffer(string: "{\"audit_status\":\"Done\"}")) { response in
                try Self.expectError(response, .badRequest, "bad_request")
            }
            try await client.execute(uri: uri, method: .put, headers: json, body: ByteBuffer(string: "{}")) { response in
                try Self.expectError(response, .badRequest, "bad_request")
            }
            try await client.execute(uri: uri, method: .put, headers: text, body: ByteBuffer(string: "{\"audit_status\":\"Assigned\"}")) { response in
                try Self.expectError(response, .unsupportedMediaType, "unsupported_media_type")
            }
            let big = "{\"audit_status\":\"Assigned\",\"audit_notes\":\"" + String(repeating: "x", count: 70_000) + "\"}"
            try await client.execute(uri: uri, method: .put, headers: json, body: ByteBuffer(string: big)) { response in
                try Self.expectError(response, .contentTooLarge, "payload_too_large")
            }
            let assign = "/api/v1/audit/officers/OFF0001/assignee"
            try await client.execute(uri: assign, method: .put, headers: json, body: ByteBuffer(string: "{\"assignee_id\":\"TM005\"}")) { response in
                try Self.expectError(response, .unprocessableContent, "unprocessable_entity")
            }
            try await client.execute(uri: assign, method: .put, headers: json,
                                     body: ByteBuffer(string: "{\"assignee_id\":\"TM001\",\"assignee_name\":\"Someone Else\"}")) { response in
                try Self.expectError(response, .unprocessableContent, "unprocessable_entity")
            }
        }
    }

    @Test("409 In Progress without an assignee, 412 stale If-Match; neither changes anything")
    func conflicts() async throws {
        let db = try await SharedFixture.database()
        let app = try await TestApp.make(database: db)
        let json = try await app.jsonHeaders("auditor")
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/audit/officers/OFF0002/status", method: .put, headers: json,
                                     body: ByteBuffer(string: "{\"audit_status\":\"In Progress\"}")) { response in
                try Self.expectError(response, .conflict, "conflict")
            }
            var stale = json
            stale[.ifMatch] = "\"4\""
            try await client.execute(uri: "/api/v1/audit/officers/OFF0002/status", method: .put, headers: stale,
                                     body: ByteBuffer(string: "{\"audit_status\":\"Assigned\"}")) { response in
                try Self.expectError(response, .preconditionFailed, "precondition_failed")
            }
        }
        let rows = try await db.pool.query("SELECT count(*) AS n FROM audit_log WHERE officer_id = 'OFF0002'")
        let actual = try rows[0].decode(Int.self, "n")
        #expect(actual == 0)
    }

    @Test("503 when the database is unavailable")
    func databaseDown() async throws {
        let db = try await SharedFixture.database()
        let port = Int(try await ServerScript.run(["free-port"])) ?? 1
        let dead = PostgresPool(configuration: try PostgresConfiguration(url: "postgres://postgres@127.0.0.1:\(port)/none"),
                                maximumConnections: 1, acquireTimeout: .seconds(1), executor: db.executor)
        let app = try await TestApp.make(database: db, pool: dead)
        let headers = try await app.headers("viewer")
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: headers) { response in
                try Self.expectError(response, .serviceUnavailable, "service_unavailable")
            }
        }
        dead.shutdown()
    }
}
