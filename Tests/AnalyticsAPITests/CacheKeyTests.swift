@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// Cache keys that cannot collide (issue 12, defect 1): a parameter whose value spells out another
/// query must not share that query's entry.
@Suite("Cache keys")
struct CacheKeyTests {
    /// One branch value holding `&region=...` against the two real parameters.
    static let crafted = "/api/v1/metrics/officers?branch=Lagos%20Main%26region%3DSouth%20West"
    static let real = "/api/v1/metrics/officers?region=South%20West&branch=Lagos%20Main"

    @Test("a crafted single parameter and the real pair of parameters get different keys")
    func craftedPairDiffers() throws {
        let crafted = try QueryParameters(query: "branch=Lagos%20Main%26region%3DSouth%20West", allowed: ["branch", "region"])
        let real = try QueryParameters(query: "region=South%20West&branch=Lagos%20Main", allowed: ["branch", "region"])
        #expect(try crafted.string("branch") == "Lagos Main&region=South West")
        #expect(try crafted.string("region") == nil)
        let a = CacheKey(.officerList, role: .viewer, scope: .unrestricted, parameters: crafted.pairs())
        let b = CacheKey(.officerList, role: .viewer, scope: .unrestricted, parameters: real.pairs())
        #expect(a != b)
        #expect(a.description != b.description)
        #expect(a.redisKey(generation: 1) != b.redisKey(generation: 1))
    }

    @Test("the crafted request first does not blank the real page for the next viewer (through Redis)")
    func craftedRequestDoesNotPoisonTheCache() async throws {
        try await LocalRedis.with { redis in
            let app = try await TestApp.make(database: try await SharedFixture.database(), redisURL: redis.url)
            let attacker = try await app.headers("viewer", subject: "mallory")
            let victim = try await app.headers("viewer", subject: "alice")
            try await app.application.test(.router) { client in
                try await client.execute(uri: Self.crafted, method: .get, headers: attacker) { response in
                    #expect(response.status == .ok)
                    let total = try Body.meta(response)["total"]
                    #expect(total == .number("0"))
                }
                try await client.execute(uri: Self.real, method: .get, headers: victim) { response in
                    #expect(response.status == .ok)
                    let total = try Body.meta(response)["total"]
                    let rows = try Body.rows(response)
                    #expect(total == .number("3"))
                    #expect(rows.count == 3)
                }
            }
        }
    }

    @Test("role and scope are always in the key")
    func roleAndScopeInKey() {
        let scopes = [AccessScope.unrestricted, AccessScope(regions: [], branches: nil), AccessScope(regions: nil, branches: []),
                      AccessScope(regions: ["a,b"], branches: nil), AccessScope(regions: ["a", "b"], branches: nil),
                      AccessScope(regions: nil, branches: ["a"]), AccessScope(regions: ["a"], branches: ["a"])]
        var seen: Set<CacheKey> = []
        for role in Role.allCases {
            for scope in scopes {
                seen.insert(CacheKey(.branchMetrics, role: role, scope: scope))
            }
        }
        #expect(seen.count == Role.allCases.count * scopes.count)
    }

    @Test("property: distinct parameter sets, resources and scopes never share a key (5,000 random reads)")
    func distinctInputsNeverCollide() {
        // Values from an alphabet rich in the separators an unescaped key would confuse.
        let alphabet = ["a", "b", "&", "=", ":", "|", "%", "+", " ", ",", ";", "\u{0}", "é", "r=", "*"]
        var random = SplitMix64(seed: 12)
        func text() -> String {
            (0..<Int(random.next() % 5)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined()
        }
        func list() -> [String]? { random.next() % 3 == 0 ? nil : (0..<Int(random.next() % 3)).map { _ in text() } }
        struct Read: Hashable {
            var family: CacheNamespace.Family
            var role: Role
            var regions: [String]?
            var branches: [String]?
            var resource: [String]
            var parameters: [String: String]
        }
        var owners: [CacheKey: Read] = [:]
        var collisions = 0
        for _ in 0..<5_000 {
            var parameters: [String: String] = [:]
            for _ in 0..<Int(random.next() % 4) { parameters[text()] = text() }
            let read = Read(family: CacheNamespace.Family.allCases[Int(random.next() % UInt64(CacheNamespace.Family.allCases.count))],
                            role: Role.allCases[Int(random.next() % 3)], regions: list(), branches: list(),
                            resource: (0..<Int(random.next() % 3)).map { _ in text() }, parameters: parameters)
            let scope = AccessScope(regions: read.regions, branches: read.branches)
            // AccessScope sorts and de-duplicates its lists: compare reads as the key sees them.
            let seenAs = Read(family: read.family, role: read.role, regions: scope.regions, branches: scope.branches,
                              resource: read.resource, parameters: read.parameters)
            let key = CacheKey(read.family, role: read.role, scope: scope, resource: read.resource,
                               parameters: parameters.map { ($0.key, $0.value) })
            if let owner = owners[key], owner != seenAs { collisions += 1 }
            owners[key] = seenAs
        }
        #expect(collisions == 0)
        #expect(owners.count > 1_000)
    }
}
