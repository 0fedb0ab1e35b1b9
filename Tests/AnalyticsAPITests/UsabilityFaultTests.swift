@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Small faults a newcomer met (issue 13): a wrong method, an echo-less 400, a misnamed parameter,
/// a garbled configuration line, and `--help` needing a database.
@Suite("Usability faults")
struct UsabilityFaultTests {
    @Test("a method the route does not have is 405 with Allow; an unknown path stays 404")
    func methodNotAllowed() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.jsonHeaders("admin")
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics/officers", method: .post, headers: headers,
                                     body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
                let code = try Body.object(response)["error"]?.objectValue?["code"]
                #expect(code == .string("method_not_allowed"))
            }
            try await client.execute(uri: "/api/v1/metrics/officers/OFF0001", method: .delete, headers: headers) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/api/v1/audit/officers/OFF0001/assignee", method: .get, headers: headers) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow]?.contains("PUT") == true)
            }
            try await client.execute(uri: "/api/v1/no/such/route", method: .post, headers: headers) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("sort=+rank: the 400 echoes the value received and explains the plus")
    func sortEchoes() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/metrics/officers?sort=+rank", method: .get, headers: headers) { response in
                #expect(response.status == .badRequest)
                let message = try Body.object(response)["error"]?.objectValue?["message"]?.stringValue ?? ""
                #expect(message.contains("got ' rank'"), "\(message)")
                #expect(message.contains("'+' in a query string is a space"), "\(message)")
            }
        }
    }

    @Test("limit with page names limit, not a cursor that was never sent")
    func limitWithPage() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/loans/fimr-drilldown?limit=2&page=2", method: .get, headers: headers) { response in
                #expect(response.status == .badRequest)
                let message = try Body.object(response)["error"]?.objectValue?["message"]?.stringValue ?? ""
                #expect(message.hasPrefix("parameter 'limit'"), "\(message)")
            }
        }
    }

    @Test("a DATABASE_URL that is not a URL: one line with the key, a colon, and what is wrong")
    func databaseURLMessage() {
        let error = #expect(throws: APIConfigurationError.self) {
            try APIConfiguration(environment: ["DATABASE_URL": "nonsense", "JWT_SECRET": String(repeating: "k", count: 40)])
        }
        #expect(error?.description.hasPrefix("configuration error: DATABASE_URL is not a database URL: ") == true,
                "\(String(describing: error))")
    }

    @Test("--help and --version answer without any setting; another argument is a usage error")
    func helpAndVersion() {
        let help = APIUsage.respond(to: ["--help"])
        #expect(help?.exitCode == 0)
        for key in ["DATABASE_URL", "REDIS_URL", "JWT_SECRET", "CORS_ALLOWED_ORIGINS", "LOG_FORMAT", "IDEMPOTENCY_KEY_TTL_HOURS"] {
            #expect(help?.text.contains(key) == true, "\(key)")
        }
        #expect(APIUsage.respond(to: ["--version"])?.text == "analytics-api \(ProductVersion.current)")
        #expect(APIUsage.respond(to: ["--port"])?.exitCode == 64)
        #expect(APIUsage.respond(to: []) == nil)
    }
}
