@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Hostile input (issue 7): injection strings, traversal, huge and negative numbers, invalid UTF-8,
/// impossible dates, deeply nested and 10 MB bodies. Each is a 4xx in the error envelope, never a
/// 5xx, a hang or data outside the caller's rights.
@Suite("Hostile input")
struct HostileInputTests {
    static func expect4xx(_ response: TestResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect((400..<500).contains(response.status.code), "\(what): \(response.status)", sourceLocation: sourceLocation)
        #expect(try Body.object(response)["success"] == .bool(false), "\(what)", sourceLocation: sourceLocation)
        #expect(try Body.errorCode(response)?.isEmpty == false, "\(what)", sourceLocation: sourceLocation)
    }

    static let injection = "' OR '1'='1'; DROP TABLE officers; --"

    @Test("query and path: injection, traversal, huge, zero and negative numbers, invalid UTF-8, impossible dates")
    func queryAndPath() async throws {
        let db = try await SharedFixture.database()
        let app = try await TestApp.make(database: db)
        let headers = try await app.headers("viewer")
        let injected = try #require(Self.injection.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let uris = [
            "/api/v1/metrics/officers/\(injected)", "/api/v1/metrics/officers?sort=\(injected)",
            "/api/v1/metrics/officers?date=\(injected)", "/api/v1/metrics/officers?fields=\(injected)",
            "/api/v1/loans/fimr-drilldown?cursor=\(injected)", "/api/v1/metrics/officers?risk_band=\(injected)",
            "/api/v1/metrics/officers/..%2F..%2F..%2Fetc%2Fpasswd", "/api/v1/../../../etc/passwd",
            "/api/v1/metrics/officers?page=99999999999999999999999", "/api/v1/metrics/officers?per_page=1e309",
            "/api/v1/metrics/officers?page=0", "/api/v1/metrics/officers?page=-1", "/api/v1/metrics/officers?per_page=0",
            "/api/v1/metrics/officers?per_page=-50", "/api/v1/loans/fimr-drilldown?limit=0", "/api/v1/loans/fimr-drilldown?limit=-1",
            "/api/v1/loans/fimr-drilldown?page=0", "/api/v1/metrics/officers?branch=%FF%FE%FD",
            "/api/v1/metrics/officers?branch=%C3", "/api/v1/metrics/officers?branch=a%00b",
            "/api/v1/metrics/officers?date=2024-02-30", "/api/v1/metrics/officers?date=2023-02-29",
            "/api/v1/metrics/officers?start_date=2024-11-01&end_date=2024-10-01",
            "/api/v1/metrics/officers?date=99999-01-01", "/api/v1/metrics/officers?date=%00",
            "/api/v1/metrics/officers?officer_id=" + String(repeating: "A", count: 5_000),
        ]
        try await app.application.test(.router) { client in
            for uri in uris {
                try await client.execute(uri: uri, method: .get, headers: headers) { try Self.expect4xx($0, uri) }
            }
            // An injection string as a filter value is just a value: no rows, and the tables are intact.
            try await client.execute(uri: "/api/v1/metrics/officers?branch=\(injected)", method: .get, headers: headers) { response in
                let rows = try Body.rows(response)
                #expect(response.status == .ok)
                #expect(rows.isEmpty)
            }
        }
        #expect(try await db.pool.query("SELECT count(*) AS n FROM officers")[0].decode(Int.self, "n") > 0)
    }

    @Test("bodies: deeply nested JSON, 10 MB, invalid UTF-8, wrong types, huge numbers, injection text; nothing is written")
    func bodies() async throws {
        try await FixtureDatabase.create().using { db in
            let app = try await TestApp.make(database: db)
            let json = try await app.jsonHeaders("auditor")
            let status = "/api/v1/audit/officers/OFF0001/status"
            let actions = "/api/v1/audit/officers/OFF0001/actions"
            let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            let nestedObject = String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
            let bodies: [(String, String, ByteBuffer)] = [
                ("nested arrays", status, ByteBuffer(string: nested)),
                ("nested objects", actions, ByteBuffer(string: nestedObject)),
                ("10 MB", actions, ByteBuffer(string: "{\"action_type\":\"x\",\"action_notes\":\"" + String(repeating: "a", count: 10_000_000) + "\"}")),
                ("invalid UTF-8", status, ByteBuffer(bytes: Array("{\"audit_status\":\"".utf8) + [0xFF, 0xFE, 0xC3] + Array("\"}".utf8))),
                ("wrong type", status, ByteBuffer(string: "{\"audit_status\":42}")),
                ("array instead of object", status, ByteBuffer(string: "[\"Assigned\"]")),
                ("huge number", actions, ByteBuffer(string: "{\"action_type\":1e999999,\"action_notes\":\"x\"}")),
                ("injection as a status", status, ByteBuffer(string: "{\"audit_status\":\"\(Self.injection)\"}")),
                ("empty action type", actions, ByteBuffer(string: "{\"action_type\":\"\",\"action_notes\":\"x\"}")),
                ("notes over 2000", actions, ByteBuffer(string: "{\"action_type\":\"x\",\"action_notes\":\"" + String(repeating: "n", count: 2_001) + "\"}")),
                ("NUL in text", actions, ByteBuffer(string: "{\"action_type\":\"a\\u0000b\",\"action_notes\":\"x\"}")),
                ("empty body", status, ByteBuffer()),
                // Found by schemathesis: an escaped NUL in a field that reaches PostgreSQL was a 500.
                ("NUL in assignee_id", "/api/v1/audit/officers/OFF0001/assignee", ByteBuffer(string: "{\"assignee_id\":\"TM\\u0000001\"}")),
            ]
            let counts = "SELECT (SELECT count(*) FROM audit_log) AS log, (SELECT count(*) FROM audit_tracking) AS tracking"
            let before = try await db.pool.query(counts)[0]
            try await app.application.test(.router) { client in
                for (name, uri, body) in bodies {
                    let method: HTTPRequest.Method = uri == actions ? .post : .put
                    try await client.execute(uri: uri, method: method, headers: json, body: body) { try Self.expect4xx($0, name) }
                }
            }
            let after = try await db.pool.query(counts)[0]
            #expect(try after.decode(Int.self, "log") == before.decode(Int.self, "log"))
            #expect(try after.decode(Int.self, "tracking") == before.decode(Int.self, "tracking"))
        }
    }

    @Test("NUL detection in JSON bodies: raw or escaped, not an escaped backslash before u0000")
    func nulDetection() {
        #expect(RequestBodyReader.containsNUL(Array(#"{"a":"x\u0000y"}"#.utf8)))
        #expect(RequestBodyReader.containsNUL(Array(#"{"a":"\u0000"}"#.utf8)))
        #expect(RequestBodyReader.containsNUL([123, 0, 125]))
        #expect(!RequestBodyReader.containsNUL(Array(#"{"a":"x\\u0000y"}"#.utf8)))
        #expect(RequestBodyReader.containsNUL(Array(#"{"a":"\u00001"}"#.utf8)))
        #expect(!RequestBodyReader.containsNUL(Array(#"{"a":"\u0001 \n \\"}"#.utf8)))
        #expect(!RequestBodyReader.containsNUL(Array(#"{"a":"trailing\"#.utf8)))
    }
}
