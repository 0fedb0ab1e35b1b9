@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Targeted invalidation end to end (issue 14 part 2): a fixture database, a Redis of the test's own,
/// two live API replicas (in-process layers in front of Redis) and one without its subscriber (every
/// read through Redis). Rows are changed in PostgreSQL, then `CacheNamespace.invalidate(tags:)` names
/// some of them: what showed them is read again everywhere, the rest is still served from the cache
/// (it still shows the values of before, though PostgreSQL changed under it too).
@Suite("Targeted invalidation", .serialized)
struct TargetedInvalidationTests {
    static let date = "2024-11-01"
    /// Officer X of branch "Lagos Main", officer Y of branch "Abuja Central".
    static let x = "OFF0001"
    static let y = "OFF0002"
    static let lagos = "Lagos Main"
    static let abuja = "Abuja Central"
    /// The values written into PostgreSQL by the tests.
    static let newX = "111111.11"
    static let newY = "222222.22"
    static let newLagos = "333333.33"

    static let xDetail = "/api/v1/metrics/officers/OFF0001"
    static let yDetail = "/api/v1/metrics/officers/OFF0002"
    static let all = "/api/v1/metrics/officers"
    static let lagosList = "/api/v1/metrics/officers?branch=Lagos+Main"
    static let abujaList = "/api/v1/metrics/officers?branch=Abuja%20Central"
    static let yList = "/api/v1/metrics/officers?officer_id=OFF0002&fields=officer_id,portfolio_total"
    static let regionList = "/api/v1/metrics/officers?region=South+West"
    static let branches = "/api/v1/metrics/branches"
    static let options = "/api/v1/filters/options"
    static let yDrill = "/api/v1/loans/fimr-drilldown?officer_id=OFF0002"
    static let allDrill = "/api/v1/loans/fimr-drilldown"
    /// Every read above, in the order the tests fill the caches.
    static let everyRead = [xDetail, yDetail, all, lagosList, abujaList, yList, regionList, branches, options, yDrill, allDrill]

    /// The fixture's expected portfolio of `officer` on `date` (the values before any change).
    static func expectedPortfolio(_ officer: String) throws -> JSONValue? {
        try Expected.officers(date).first { $0["officer_id"]?.stringValue == officer }?["total_portfolio"]
    }

    static func setPortfolio(_ db: TestDatabase, officer: String, to value: String) async throws {
        _ = try await db.pool.query("""
            UPDATE officer_metrics_daily SET total_portfolio = $1::numeric WHERE officer_id = $2::text AND calculation_date = $3::date
            """, [value, officer, date])
    }

    static func setPortfolio(_ db: TestDatabase, branch: String, to value: String) async throws {
        _ = try await db.pool.query("""
            UPDATE branch_metrics_daily SET portfolio_total = $1::numeric WHERE branch = $2::text AND calculation_date = $3::date
            """, [value, branch, date])
    }

    /// The replicas' Redis, with command and connect timeouts of 2 s instead of the 50 ms default.
    /// These tests count where each read was served from (memory, Redis, PostgreSQL). With the
    /// default, one Redis answer slower than 50 ms (a loaded CI machine) is a designed fallback to
    /// PostgreSQL: that read is not counted as a miss, the page it loads is not stored, and for the
    /// client's fail-fast window (250 ms) the next reads fall back too, so the next replica misses
    /// pages it should have found in Redis. The counts would then measure the machine's load, not
    /// which entries an invalidation moved. Each test also checks that no Redis call failed.
    static func redisURL(_ redis: LocalRedis) -> String {
        redis.url + "?timeout_ms=2000&connect_timeout_ms=2000"
    }

    static func tracker(_ app: TestApp) throws -> GenerationTracker {
        try #require((app.dependencies.cache as? RedisMetricsCache)?.tracker)
    }

    /// Waits until `app` holds the versions that `invalidate(tags:)` of `tags` gave (`version` each).
    static func waitForVersions(_ app: TestApp, _ tags: [CacheTag], at version: Int64) async throws {
        let tracker = try Self.tracker(app)
        try await Waiting.until("the replica holds the new tag versions") {
            tracker.liveVersion(for: tags.sorted())?.tagVersions == Array(repeating: version, count: tags.count)
        }
    }

    /// `officer`'s portfolio as the response to `uri` shows it: the detail's current metrics, or the
    /// officer's row of a list.
    static func portfolio(_ client: some TestClientProtocol, _ uri: String, _ headers: HTTPFields, officer: String) async throws -> JSONValue? {
        try await client.execute(uri: uri, method: .get, headers: headers) { response in
            #expect(response.status == .ok, "\(uri)")
            if uri.hasPrefix("/api/v1/metrics/officers/") {
                return try Body.data(response)["metrics"]?.objectValue?["current"]?.objectValue?["portfolio_total"]
            }
            return try Body.rows(response).first { $0["officer_id"]?.stringValue == officer }?["portfolio_total"]
        }
    }

    static func branchPortfolio(_ client: some TestClientProtocol, _ headers: HTTPFields, branch: String) async throws -> JSONValue? {
        try await client.execute(uri: branches, method: .get, headers: headers) { response in
            try Body.rows(response).first { $0["branch"]?.stringValue == branch }?["portfolio_total"]
        }
    }

    /// A counter of `/metrics`, by its line's prefix.
    static func counter(_ client: some TestClientProtocol, _ prefix: String) async throws -> Double {
        CacheTests.metricValue(try await CacheTests.metricsText(client), prefix)
    }

    static func local(_ family: CacheNamespace.Family) -> String {
        "analytics_api_cache_hits_total{family=\"\(family.rawValue)\",layer=\"local\"}"
    }

    static func miss(_ family: CacheNamespace.Family) -> String {
        "analytics_api_cache_misses_total{family=\"\(family.rawValue)\"}"
    }

    @Test("X's detail and every page that shows X are read again on every replica; Y's detail and branch page are still served from the cache")
    func onlyWhatShowedThemMoves() async throws {
        try await CacheTests.withFixtureAndRedis { db, redis in
            // Refresh ahead off: this test counts the readers' own loads, which the refresher would
            // otherwise do first (`refreshAheadLoadsWhatMoved` covers it).
            let first = try await TestApp.make(database: db, redisURL: Self.redisURL(redis), refreshAheadKeys: 0)
            let second = try await TestApp.make(database: db, redisURL: Self.redisURL(redis), refreshAheadKeys: 0)
            // Without its invalidation subscriber, a replica never trusts memory: every read goes through Redis.
            var unsubscribed = try await TestApp.make(database: db, redisURL: Self.redisURL(redis))
            unsubscribed.dependencies.services = []
            let throughRedis = unsubscribed
            let headers = try await first.headers("viewer")
            let scoped = try await first.headers("viewer", branches: [Self.abuja])
            let uris = Self.everyRead
            try await first.application.test(.live) { one in
                try await second.application.test(.live) { two in
                    try await throughRedis.application.test(.router) { three in
                        try await CacheTests.waitForSubscription(first)
                        try await CacheTests.waitForSubscription(second)
                        #expect(try Self.tracker(throughRedis).liveGeneration == nil)
                        // Fill: every read twice on the live replicas (the second from memory), once through Redis.
                        let fillers: [any TestClientProtocol] = [one, one, two, two, three]
                        for uri in uris {
                            for client in fillers {
                                try await client.execute(uri: uri, method: .get, headers: headers) { #expect($0.status == .ok, "\(uri)") }
                            }
                        }
                        try await one.execute(uri: Self.all, method: .get, headers: scoped) { #expect($0.status == .ok) }
                        try await two.execute(uri: Self.all, method: .get, headers: scoped) { #expect($0.status == .ok) }
                        let oldX = try Self.expectedPortfolio(Self.x)
                        let oldY = try Self.expectedPortfolio(Self.y)
                        #expect(Expected.same(try await Self.portfolio(one, Self.yDetail, headers, officer: Self.y), oldY))

                        // PostgreSQL changes under the cache: X, Y and Lagos Main. Only X, Lagos Main and
                        // the book are invalidated; Y's own entries must keep the values of before.
                        try await Self.setPortfolio(db, officer: Self.x, to: Self.newX)
                        try await Self.setPortfolio(db, officer: Self.y, to: Self.newY)
                        try await Self.setPortfolio(db, branch: Self.lagos, to: Self.newLagos)
                        let before = (try await Self.counters(one), try await Self.counters(two))
                        let tags: [CacheTag] = [.officer(Self.x), .branch(Self.lagos), .book]
                        try await CacheNamespace.invalidate(tags: Set(tags), redis: try #require(first.redis))
                        try await Self.waitForVersions(first, tags, at: 1)
                        try await Self.waitForVersions(second, tags, at: 1)

                        let readers: [any TestClientProtocol] = [one, two, three]
                        for client in readers {
                            // What showed X (or aggregates the book): the new values, on every replica.
                            #expect(Expected.same(try await Self.portfolio(client, Self.xDetail, headers, officer: Self.x), .string(Self.newX)))
                            #expect(Expected.same(try await Self.portfolio(client, Self.all, headers, officer: Self.x), .string(Self.newX)))
                            #expect(Expected.same(try await Self.portfolio(client, Self.lagosList, headers, officer: Self.x), .string(Self.newX)))
                            #expect(Expected.same(try await Self.portfolio(client, Self.regionList, headers, officer: Self.x), .string(Self.newX)))
                            #expect(Expected.same(try await Self.branchPortfolio(client, headers, branch: Self.lagos), .string(Self.newLagos)))
                            // The book was read again, so it shows Y's row as PostgreSQL has it now.
                            #expect(Expected.same(try await Self.portfolio(client, Self.all, headers, officer: Self.y), .string(Self.newY)))
                            // A scoped token without a branch filter carries the book too.
                            #expect(Expected.same(try await Self.portfolio(client, Self.all, scoped, officer: Self.y), .string(Self.newY)))
                            // What showed only Y: still the cached values of before.
                            #expect(Expected.same(try await Self.portfolio(client, Self.yDetail, headers, officer: Self.y), oldY))
                            #expect(Expected.same(try await Self.portfolio(client, Self.abujaList, headers, officer: Self.y), oldY))
                            #expect(Expected.same(try await Self.portfolio(client, Self.yList, headers, officer: Self.y), oldY))
                            try await client.execute(uri: Self.yDrill, method: .get, headers: headers) { #expect($0.status == .ok) }
                            try await client.execute(uri: Self.allDrill, method: .get, headers: headers) { #expect($0.status == .ok) }
                        }
                        #expect(!Expected.same(oldX, .string(Self.newX)))

                        // Counted on each live replica: Y's detail, Abuja's and Y's lists and Y's drilldown
                        // came from memory (and the unfiltered list's second read, rendered once since);
                        // X's detail and the book's pages did not.
                        let after = (try await Self.counters(one), try await Self.counters(two))
                        for (b, a) in [(before.0, after.0), (before.1, after.1)] {
                            #expect(a.redisErrors - b.redisErrors == 0, "a Redis call failed: the counts below do not hold")
                            #expect(a.fallbacks - b.fallbacks == 0)
                            #expect(a.localDetail - b.localDetail == 1)
                            #expect(a.localList - b.localList == 3)
                            #expect(a.localDrill - b.localDrill == 1)
                            #expect(a.missDrill - b.missDrill == 1)
                        }
                        // The first replica loaded X's detail and the book's lists (unfiltered, Lagos Main,
                        // region, scoped) from PostgreSQL; the second found them in Redis.
                        #expect(after.0.missDetail - before.0.missDetail == 1)
                        #expect(after.0.missList - before.0.missList == 4)
                        #expect(after.1.missDetail - before.1.missDetail == 0)
                        #expect(after.1.missList - before.1.missList == 0)
                    }
                }
            }
        }
    }

    @Test("refresh ahead: after an invalidation each live replica loads again the recently read entries that moved (and only those), so readers find them in memory")
    func refreshAheadLoadsWhatMoved() async throws {
        try await CacheTests.withFixtureAndRedis { db, redis in
            let first = try await TestApp.make(database: db, redisURL: Self.redisURL(redis))
            let second = try await TestApp.make(database: db, redisURL: Self.redisURL(redis))
            let headers = try await first.headers("viewer")
            let scoped = try await first.headers("viewer", branches: [Self.abuja])
            let uris = Self.everyRead
            try await first.application.test(.live) { one in
                try await second.application.test(.live) { two in
                    try await CacheTests.waitForSubscription(first)
                    try await CacheTests.waitForSubscription(second)
                    let replicas: [any TestClientProtocol] = [one, two]
                    for client in replicas {
                        for uri in uris {
                            try await client.execute(uri: uri, method: .get, headers: headers) { #expect($0.status == .ok, "\(uri)") }
                        }
                        try await client.execute(uri: Self.all, method: .get, headers: scoped) { #expect($0.status == .ok) }
                    }
                    let oldY = try Self.expectedPortfolio(Self.y)
                    try await Self.setPortfolio(db, officer: Self.x, to: Self.newX)
                    try await Self.setPortfolio(db, officer: Self.y, to: Self.newY)
                    try await Self.setPortfolio(db, branch: Self.lagos, to: Self.newLagos)
                    let before = [try await Self.refreshes(one), try await Self.refreshes(two)]
                    let readsBefore = [try await Self.counters(one), try await Self.counters(two)]
                    let tags: [CacheTag] = [.officer(Self.x), .branch(Self.lagos), .book]
                    try await CacheNamespace.invalidate(tags: Set(tags), redis: try #require(first.redis))

                    // What moved and was read: X's detail, the unfiltered list (plain and scoped), Lagos
                    // Main's list, the region's list (1 + 4 officer lists), the branches and the filter
                    // options (the book). Y's detail, Abuja's list and Y's list did not move. Drilldown
                    // pages are kept in process only (not in Redis): never refreshed ahead.
                    let moved: [CacheNamespace.Family: Double] = [.officerMetrics: 1, .officerList: 4, .branchMetrics: 1,
                                                                  .filterOptions: 1]
                    for (index, client) in replicas.enumerated() {
                        try await Waiting.until("replica \(index + 1) refreshed the 7 entries that moved") {
                            let now = try await Self.refreshes(client)
                            return moved.allSatisfy { family, count in now[family, default: 0] - before[index][family, default: 0] == count }
                        }
                        let now = try await Self.refreshes(client)
                        for family in CacheNamespace.Family.allCases {
                            #expect(now[family, default: 0] - before[index][family, default: 0] == moved[family, default: 0], "\(family)")
                        }
                        #expect(try await Self.counter(client, "analytics_api_cache_refreshes_total{family=\"officer_list\",outcome=\"failed\"}") == 0)
                    }
                    for client in replicas {
                        #expect(Expected.same(try await Self.portfolio(client, Self.xDetail, headers, officer: Self.x), .string(Self.newX)))
                        #expect(Expected.same(try await Self.portfolio(client, Self.all, headers, officer: Self.x), .string(Self.newX)))
                        #expect(Expected.same(try await Self.portfolio(client, Self.all, scoped, officer: Self.y), .string(Self.newY)))
                        #expect(Expected.same(try await Self.portfolio(client, Self.lagosList, headers, officer: Self.x), .string(Self.newX)))
                        #expect(Expected.same(try await Self.portfolio(client, Self.regionList, headers, officer: Self.x), .string(Self.newX)))
                        #expect(Expected.same(try await Self.branchPortfolio(client, headers, branch: Self.lagos), .string(Self.newLagos)))
                        #expect(Expected.same(try await Self.portfolio(client, Self.yDetail, headers, officer: Self.y), oldY))
                    }
                    // Every one of those reads came from memory: no reader loaded anything.
                    for (index, client) in replicas.enumerated() {
                        let after = try await Self.counters(client)
                        #expect(after.redisErrors == readsBefore[index].redisErrors, "a Redis call failed: the counts do not hold")
                        #expect(after.missDetail == readsBefore[index].missDetail && after.missList == readsBefore[index].missList)
                        #expect(after.localDetail - readsBefore[index].localDetail == 2)
                    }
                }
            }
        }
    }

    /// Refreshes ahead per key family (loaded from PostgreSQL or found in Redis) on one replica.
    static func refreshes(_ client: some TestClientProtocol) async throws -> [CacheNamespace.Family: Double] {
        let text = try await CacheTests.metricsText(client)
        var counts: [CacheNamespace.Family: Double] = [:]
        for family in CacheNamespace.Family.allCases {
            counts[family] = ["loaded", "redis"].reduce(0) { sum, outcome in
                sum + CacheTests.metricValue(text, "analytics_api_cache_refreshes_total{family=\"\(family.rawValue)\",outcome=\"\(outcome)\"}")
            }
        }
        return counts
    }

    /// The cache counters of one replica that the test compares.
    struct Counters {
        var localDetail, missDetail, localList, missList, localDrill, missDrill: Double
        /// Redis calls that failed or timed out, and reads that fell back to PostgreSQL because of one
        /// (any family): the counts above mean what they say only while these stay put.
        var redisErrors, fallbacks: Double
    }

    static func counters(_ client: some TestClientProtocol) async throws -> Counters {
        let text = try await CacheTests.metricsText(client)
        return Counters(localDetail: CacheTests.metricValue(text, local(.officerMetrics)),
                        missDetail: CacheTests.metricValue(text, miss(.officerMetrics)),
                        localList: CacheTests.metricValue(text, local(.officerList)),
                        missList: CacheTests.metricValue(text, miss(.officerList)),
                        localDrill: CacheTests.metricValue(text, local(.loanDrilldown)),
                        missDrill: CacheTests.metricValue(text, miss(.loanDrilldown)),
                        redisErrors: CacheTests.metricValue(text, "analytics_api_redis_errors_total"),
                        fallbacks: CacheTests.metricValue(text, "analytics_api_cache_fallbacks_total{"))
    }

    @Test("the race: a read that loaded X's old rows before the invalidation and stores them after it is never served afterwards")
    func lateStoreIsNotServed() async throws {
        try await CacheTests.withFixtureAndRedis { db, redis in
            var gated = try await TestApp.make(database: db, redisURL: Self.redisURL(redis))
            let gate = LoadGate()
            gated.dependencies.metricsRepository = GatedRepository(base: gated.dependencies.metricsRepository, gate: gate)
            let racing = gated
            let other = try await TestApp.make(database: db, redisURL: Self.redisURL(redis))
            let headers = try await racing.headers("viewer")
            let oldX = try Self.expectedPortfolio(Self.x)
            try await racing.application.test(.live) { one in
                try await other.application.test(.live) { two in
                    try await CacheTests.waitForSubscription(racing)
                    try await CacheTests.waitForSubscription(other)
                    gate.arm()
                    let shown = try await withThrowingTaskGroup(of: JSONValue?.self) { group in
                        // The slow read: it loads Lagos Main's rows, then waits at the gate.
                        group.addTask { try await Self.portfolio(one, Self.lagosList, headers, officer: Self.x) }
                        try await Waiting.until("the slow read has loaded its rows") { gate.entered }
                        try await Self.setPortfolio(db, officer: Self.x, to: Self.newX)
                        let tags: [CacheTag] = [.officer(Self.x), .branch(Self.lagos), .book]
                        try await CacheNamespace.invalidate(tags: Set(tags), redis: try #require(racing.redis))
                        try await Self.waitForVersions(racing, tags, at: 1)
                        try await Self.waitForVersions(other, tags, at: 1)
                        // Now it stores its old page: in Redis, in memory and as a finished body.
                        gate.release()
                        return try await group.next() ?? nil
                    }
                    // It started before the change: it may show the old value.
                    #expect(Expected.same(shown, oldX))
                    // Every read after it shows the new one, from every layer, on both replicas.
                    let readers: [any TestClientProtocol] = [one, one, two, two]
                    for client in readers {
                        #expect(Expected.same(try await Self.portfolio(client, Self.lagosList, headers, officer: Self.x), .string(Self.newX)))
                    }
                    // Redis holds one entry for the read, labelled with the new version (the late write
                    // labelled with the old one was taken by nobody and replaced by the next reader).
                    let key = CacheKey(.officerList, role: .viewer, scope: .unrestricted, parameters: [("branch", Self.lagos)],
                                       tags: [.branch(Self.lagos)])
                    let redisClient = try #require(racing.redis)
                    let stored = try #require(try await redisClient.get(key.redisKey(generation: 0)))
                    #expect(KeyVersion(generation: 0, tagVersions: [0]).value(ofLabelled: stored) == nil)
                    #expect(KeyVersion(generation: 0, tagVersions: [1]).value(ofLabelled: stored) != nil)
                }
            }
        }
    }
}
