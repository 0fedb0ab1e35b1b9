@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Query strings are `application/x-www-form-urlencoded` (issue 12, defect 2): `+` is a space and
/// `%2B` a plus, as browsers' `URLSearchParams`, HTML forms and Python's `urlencode` write them.
@Suite("Query strings as clients write them")
struct QueryStringTests {
    @Test("decoding: + is a space, %2B a plus, %20 a space, a bad escape stands for itself", arguments: [
        ("branch=Lagos+Main", "Lagos Main"),
        ("branch=Lagos%20Main", "Lagos Main"),
        ("branch=C%2B%2B", "C++"),
        ("branch=a+%2B+b", "a + b"),
        ("branch=100%", "100%"),
        ("branch=%zz", "%zz"),
        ("branch=%E2%82%AC", "€"),
        ("bra%6Ech=x", "x"),
        ("br+anch=x", nil),
    ])
    func decoding(query: String, expected: String?) throws {
        let parsed = try? QueryParameters(query: query, allowed: ["branch"])
        if let expected {
            #expect(try parsed?.string("branch") == expected)
        } else {
            #expect(parsed == nil) // "br anch" is not a parameter of the endpoint
        }
    }

    @Test("invalid UTF-8 or NUL once decoded is refused, in a key or a value", arguments: ["branch=%FF", "branch=%00", "%00=x", "branch=a%C3"])
    func refusesBadBytes(query: String) {
        #expect(throws: APIError.self) { try QueryParameters(query: query, allowed: ["branch"]) }
    }

    @Test("officer list and branches: ?branch=Lagos+Main is the branch Lagos Main; %2B is a literal plus")
    func plusIsASpace() async throws {
        let app = try await TestApp.make(database: try await SharedFixture.database())
        let headers = try await app.headers("viewer")
        try await app.application.test(.router) { client in
            for uri in ["/api/v1/metrics/officers?branch=Lagos+Main", "/api/v1/metrics/officers?region=South+West&branch=Lagos+Main",
                        "/api/v1/metrics/branches?branch=Lagos+Main"] {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let rows = try Body.rows(response)
                    #expect(!rows.isEmpty, "\(uri)")
                    #expect(rows.allSatisfy { $0["branch"] == .string("Lagos Main") }, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/metrics/officers?branch=Lagos%2BMain", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                let rows = try Body.rows(response)
                #expect(rows.isEmpty)
            }
            try await client.execute(uri: "/api/v1/loans/fimr-drilldown?branch=Lagos+Main&per_page=500", method: .get,
                                     headers: headers) { response in
                #expect(response.status == .ok)
                let rows = try Body.rows(response)
                #expect(!rows.isEmpty)
                #expect(rows.allSatisfy { $0["branch"] == .string("Lagos Main") })
            }
        }
    }
}
