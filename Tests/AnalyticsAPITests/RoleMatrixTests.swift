@testable import AnalyticsAPI
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The role matrix on every route: no token, expired, bad signature, viewer, auditor, admin, ingest
/// (which may ingest and nothing else; `IngestRoleTests` covers its batches' rejects).
@Suite("Role matrix", .serialized)
struct RoleMatrixTests {
    struct Route {
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var minimum: Role
    }

    static let routes: [Route] = [
        Route(method: .get, uri: "/api/v1/metrics/officers", minimum: .viewer),
        Route(method: .get, uri: "/api/v1/metrics/officers/OFF0001", minimum: .viewer),
        Route(method: .get, uri: "/api/v1/metrics/branches", minimum: .viewer),
        Route(method: .get, uri: "/api/v1/loans/fimr-drilldown", minimum: .viewer),
        Route(method: .get, uri: "/api/v1/loans/early-indicators-drilldown", minimum: .viewer),
        Route(method: .get, uri: "/api/v1/filters/options", minimum: .viewer),
        Route(method: .get, uri: "/api/v1/audit/team-members", minimum: .viewer),
        Route(method: .get, uri: "/api/v1/audit/officers/OFF0001/history", minimum: .auditor),
        Route(method: .put, uri: "/api/v1/audit/officers/OFF0001/assignee", body: "{\"assignee_id\":\"TM001\"}", minimum: .auditor),
        Route(method: .put, uri: "/api/v1/audit/officers/OFF0001/status", body: "{\"audit_status\":\"Assigned\"}", minimum: .auditor),
        Route(method: .post, uri: "/api/v1/audit/officers/OFF0001/actions", body: "{\"action_type\":\"Review\"}", minimum: .auditor),
        Route(method: .post, uri: "/api/v1/ingest", body: "{\"type\":\"team_member\",\"member_id\":\"TM900\",\"member_name\":\"New Auditor\"}",
              minimum: .ingest),
    ]

    @Test("every route answers each kind of caller as its role allows")
    func matrix() async throws {
        try await FixtureDatabase.create().using { db in
            let app = try await TestApp.make(database: db)
            let expired = try await app.minter.token(role: "admin", issued: Date().addingTimeInterval(-7200), lifetime: 3600)
            let otherKey = try await TokenMinter(secret: "another-secret-0123456789-0123456789abcdef").token(role: "admin")
            let notYet = try await app.minter.token(role: "admin", notBefore: Date().addingTimeInterval(3600))
            let badRole = try await app.minter.token(role: "owner")
            var callers: [(String, String?, Role?)] = [("none", nil, nil), ("expired", expired, nil), ("bad signature", otherKey, nil),
                                                       ("not yet valid", notYet, nil), ("unknown role", badRole, nil)]
            for role in Role.allCases { callers.append((role.rawValue, try await app.token(role.rawValue), role)) }
            let everyone = callers
            try await app.application.test(.router) { client in
                for (name, token, role) in everyone {
                    for route in Self.routes {
                        var headers: HTTPFields = [:]
                        if let token { headers[.authorization] = "Bearer \(token)" }
                        if route.body != nil { headers[.contentType] = "application/json" }
                        let status = try await client.execute(uri: route.uri, method: route.method, headers: headers,
                                                              body: route.body.map { ByteBuffer(string: $0) }) { $0.status }
                        let expected: HTTPResponse.Status = role == nil ? .unauthorized : (role!.includes(route.minimum) ? .ok : .forbidden)
                        #expect(status == expected, "\(name) \(route.method) \(route.uri)")
                    }
                }
                for path in ["/health", "/metrics", "/openapi.json"] {
                    try await client.execute(uri: path, method: .get) { #expect($0.status == .ok, "\(path) needs no token") }
                }
            }
        }
    }
}
