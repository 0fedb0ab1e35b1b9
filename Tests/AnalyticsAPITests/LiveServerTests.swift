@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsLogging
import AnalyticsStore
import AnalyticsTestSupport
import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// Through a live socket: envelopes, request ids, gzip, ETag/304, CORS.
@Suite("Live server")
struct LiveServerTests {
    @Test("a live socket serves the officer list with X-Request-Id, gzip over 1 KiB and ETag/304")
    func live() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        try await app.application.test(.live) { client in
            var gzip = headers
            gzip[.acceptEncoding] = "gzip, deflate"
            gzip[.xRequestID] = "client-chosen-id-1"
            let etag = try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: gzip) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentEncoding] == "gzip")
                #expect(response.headers[.xRequestID] == "client-chosen-id-1")
                var body = response.body
                let plain = try body.decompress(with: .gzip())
                let object = try #require(try JSONReader().parse(Array(plain.readableBytesView)).objectValue)
                #expect(object["success"] == .bool(true))
                return try #require(response.headers[.eTag])
            }
            var conditional = headers
            conditional[.ifNoneMatch] = etag
            try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: conditional) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/api/v1/metrics/officers?fields=officer_id&per_page=1", method: .get, headers: gzip) { response in
                #expect(response.headers[.contentEncoding] == nil, "small bodies are not compressed")
                #expect(response.headers[.xRequestID]?.isEmpty == false)
            }
            try await client.execute(uri: "/api/v1/metrics/officers", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }
}

/// The OpenAPI document matches the routes that exist.
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("every route is documented and every documented route is served")
    func documentMatchesRoutes() async throws {
        let db = try await SharedFixture.database()
        let app = try await TestApp.make(database: db)
        let routes = Set(buildRouterAndRoutes(app.dependencies).routes)
        let document = try #require(try JSONReader().parse(ObservabilityController.loadOpenAPI()).objectValue)
        #expect(document["openapi"] == .string("3.1.0"))
        let paths = try #require(document["paths"]?.objectValue)
        var documented = Set<String>()
        for member in paths.members {
            for method in member.value.objectValue?.keys ?? [] {
                documented.insert("\(method.uppercased()) \(member.key)")
            }
        }
        #expect(routes.subtracting(documented).isEmpty, "undocumented: \(routes.subtracting(documented).sorted())")
        #expect(documented.subtracting(routes).isEmpty, "documented but not served: \(documented.subtracting(routes).sorted())")
        #expect(routes.count == 17)
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let actual = try Body.value(response)
                #expect(actual == JSONValue.object(document))
            }
        }
    }
}

/// The request log: one JSON line per request, with the request id, never a token or a phone number.
@Suite("Request log")
struct RequestLogTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    @Test("one JSON line per request with its id; no token, no phone number; CORS for allowed origins only")
    func logLines() async throws {
        let captured = Lines()
        var app = try await TestApp.make(database: try await SharedFixture.database())
        let output = LogOutput { bytes in captured.lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) } }
        app.dependencies.log = RequestLogSink(logger: Logger(label: "analytics-api") {
            JSONLogHandler(label: $0, level: .info, output: output)
        })
        app.dependencies.corsAllowedOrigins = ["https://dashboard.example"]
        let token = try await app.token("viewer", subject: "log-tester")
        let headers: HTTPFields = [.authorization: "Bearer \(token)", .origin: "https://dashboard.example", .xRequestID: "log-test-1"]
        try await app.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/loans/fimr-drilldown?per_page=500", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "https://dashboard.example")
            }
            try await client.execute(uri: "/api/v1/metrics/officers", method: .get,
                                     headers: [.authorization: "Bearer \(token)", .origin: "https://evil.example"]) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/api/v1/metrics/officers?bad=1", method: .get, headers: [.authorization: "Bearer \(token)"]) { _ in }
        }
        let lines = captured.lines.withLock { $0 }
        #expect(lines.count == 3)
        for line in lines {
            #expect(line.hasSuffix("}\n"))
            let object = try #require(try JSONReader().parse(line).objectValue)
            #expect(object["message"] == .string("request"))
            let fields = try #require(object["metadata"]?.objectValue)
            #expect(fields["request_id"]?.stringValue?.isEmpty == false)
            #expect(fields["sub"] == .string("log-tester"))
            #expect(fields["method"] == .string("GET") && fields["route"] != nil && fields["duration_ms"]?.numberText != nil)
            #expect(!line.contains(token) && !line.contains("+234"))
        }
        #expect(lines.first?.contains("\"request_id\":\"log-test-1\"") == true)
        #expect(lines.last?.contains("\"status\":400") == true)
    }
}
