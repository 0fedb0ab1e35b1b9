@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 12's hardening list: CORS on error responses, `APIError` as Hummingbird's
/// `HTTPResponseError`, and values kept out of error descriptions and log lines.
@Suite("Security hardening: CORS on errors, error envelopes, no values in error logs")
struct SecurityHardeningTests {
    static let origin = "https://dashboard.example"

    /// The API over the shared fixture, with `origin` allowed.
    static func app() async throws -> TestApp {
        var app = try await TestApp.make(database: try await SharedFixture.database())
        app.dependencies.corsAllowedOrigins = [origin]
        return app
    }

    @Test("401 (no token, expired token) and 404 (unknown route, unknown officer) carry the CORS headers for an allowed origin")
    func corsOnErrors() async throws {
        let app = try await Self.app()
        let token = try await app.token("viewer")
        let expired = try await app.minter.token(role: "viewer", issued: Date().addingTimeInterval(-7200), lifetime: 3600)
        let cases: [(uri: String, token: String?, status: HTTPResponse.Status, code: String)] = [
            ("/api/v1/metrics/officers", nil, .unauthorized, "unauthorized"),
            ("/api/v1/metrics/officers", expired, .unauthorized, "unauthorized"),
            ("/api/v1/no-such-route", token, .notFound, "not_found"),
            ("/no-such-route", nil, .notFound, "not_found"),
            ("/api/v1/metrics/officers/NO_SUCH_OFFICER", token, .notFound, "not_found"),
        ]
        try await app.application.test(.router) { client in
            for entry in cases {
                var headers: HTTPFields = [.origin: Self.origin]
                if let token = entry.token { headers[.authorization] = "Bearer \(token)" }
                try await client.execute(uri: entry.uri, method: .get, headers: headers) { response in
                    #expect(response.status == entry.status, "\(entry.uri)")
                    #expect(response.headers[.accessControlAllowOrigin] == Self.origin, "\(entry.uri)")
                    #expect(response.headers[.accessControlExposeHeaders]?.contains("X-Request-Id") == true)
                    #expect(response.headers[.xRequestID]?.isEmpty == false)
                    let code = try Body.errorCode(response)
                    #expect(code == entry.code)
                }
                headers[.origin] = "https://evil.example"
                try await client.execute(uri: entry.uri, method: .get, headers: headers) { response in
                    #expect(response.status == entry.status)
                    #expect(response.headers[.accessControlAllowOrigin] == nil, "\(entry.uri)")
                }
            }
            // A preflight from the dashboard is still answered without a token.
            try await client.execute(uri: "/api/v1/metrics/officers", method: .options,
                                     headers: [.origin: Self.origin, .accessControlRequestMethod: "GET"]) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == Self.origin)
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            }
        }
    }

    struct Unmapped: Error {}

    @Test("an error that reaches the CORS middleware (APIError or unmapped) becomes the envelope with the CORS headers")
    func corsMiddlewareMapsErrors() async throws {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: CORSPolicyMiddleware(allowedOrigins: [Self.origin]))
        router.get("/unmapped") { _, _ -> Response in throw Unmapped() }
        router.get("/conflict") { _, _ -> Response in throw APIError(.conflict, "busy") }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/unmapped", method: .get, headers: [.origin: Self.origin]) { response in
                #expect(response.status == .internalServerError)
                #expect(response.headers[.accessControlAllowOrigin] == Self.origin)
                let code = try Body.errorCode(response)
                #expect(code == "internal_error")
            }
            try await client.execute(uri: "/conflict", method: .get, headers: [.origin: Self.origin]) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[.accessControlAllowOrigin] == Self.origin)
                let code = try Body.errorCode(response)
                #expect(code == "conflict")
            }
        }
    }

    @Test("APIError is an HTTPResponseError: thrown past every middleware it is still the JSON envelope with its status")
    func apiErrorIsHTTPResponseError() async throws {
        let router = Router(context: APIRequestContext.self)
        router.get("/gone") { _, _ -> Response in
            throw APIError(.preconditionFailed, "stale", details: [ErrorDetail(field: "If-Match", issue: "current version is 3")])
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/gone", method: .get) { response in
                #expect(response.status == .preconditionFailed)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try Body.object(response)
                #expect(body["success"] == .bool(false))
                let code = try Body.errorCode(response)
                #expect(code == "precondition_failed")
                #expect(body["error"]?.objectValue?["details"]?.arrayValue?.count == 1)
            }
        }
    }

    @Test("a constraint violation's values are in neither the error's description nor the log summary; the code and statement are")
    func constraintViolationIsNotLogged() async throws {
        let db = try await TestDatabase.create(migrated: false)
        let phone = "+234-803-555-0199"
        do {
            try await db.pool.query("CREATE TABLE customers_t (customer_phone text UNIQUE, age int CHECK (age >= 0))")
            try await db.pool.query("INSERT INTO customers_t (customer_phone, age) VALUES ($1, 30)", [phone])
            var errors: [PostgresError] = []
            for (sql, bindings) in [("INSERT INTO customers_t (customer_phone, age) VALUES ($1, 31)", [phone]),
                                    ("INSERT INTO customers_t (customer_phone, age) VALUES ($1, -1)", [phone + "9"]),
                                    ("INSERT INTO customers_t (customer_phone, age) VALUES ('x', $1::int)", [phone])] as [(String, PostgresBindings)] {
                do {
                    try await db.pool.query(sql, bindings)
                    Issue.record("\(sql) succeeded")
                } catch let error as PostgresError {
                    errors.append(error)
                }
            }
            #expect(errors.map(\.sqlState) == ["23505", "23514", "22P02"])
            // The server did report the values (DETAIL, or the message for 22P02) ...
            #expect(errors[0].detail?.contains(phone) == true)
            for error in errors {
                // ... but nothing that is written anywhere holds them: not the description, not the
                // debug description (what the request log printed before), not the log summary.
                let summary = APIError.logSummary(of: error)
                for text in [error.description, String(reflecting: error), "\(error)", summary] {
                    #expect(!text.contains("555-0199"), "\(text)")
                }
                #expect(summary.contains("sqlstate=\(error.sqlState ?? "?")"))
                #expect(summary.contains("statement=INSERT customers_t #"))
            }
            await db.drop()
        } catch {
            await db.drop()
            throw error
        }
    }

    @Test("the log summary of an error from outside this project names its type only")
    func foreignErrorsByTypeOnly() {
        struct Leaky: Error, CustomStringConvertible { var description: String { "customer +234-803-555-0199" } }
        let summary = APIError.logSummary(of: Leaky())
        #expect(!summary.contains("555-0199"))
        #expect(summary.contains("Leaky"))
    }

    @Test("no SQL of the API or the worker interpolates a LIMIT or OFFSET value (every value is a bound parameter)")
    func limitAndOffsetAreBound() throws {
        let root = TestEnvironment.repositoryRoot.appendingPathComponent("Sources")
        let pattern = try Regex(#"(?i)\b(LIMIT|OFFSET)\s+\\\("#)
        var offenders: [String] = []
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(pattern) {
                offenders.append("\(file.lastPathComponent):\(number + 1)")
            }
        }
        #expect(!files.isEmpty)
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
