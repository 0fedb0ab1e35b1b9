@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Officer list pages cut from the in-memory snapshot (`OfficerSnapshot`) against an independent
/// SQL query written here: every filter, sort, field subset, page, scope and date range, over the
/// fixture and over a generated book with awkward ids and many equal sort values, with and without
/// Redis (versioned snapshots, and fresh ones).
@Suite("Officer list snapshot")
struct OfficerSnapshotTests {
    /// One random list query: its query string (as a real client encodes it) and what it means.
    struct ListQuery: CustomStringConvertible {
        var parameters: [(String, String)] = []
        var date: String?
        var range: (String, String)?
        var region: String?
        var branch: String?
        var officerID: String?
        var riskBand: String?
        var sort: (name: String, descending: Bool)?
        var fields: [String]?
        var page = 1
        var perPage = 50
        var scope: (regions: [String]?, branches: [String]?) = (nil, nil)

        var queryString: String {
            parameters.map { name, value in
                name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)
            }.joined(separator: "&")
        }

        var description: String {
            "\(queryString) scope=\(String(describing: scope.regions))/\(String(describing: scope.branches))"
        }
    }

    /// What a book offers to filter by.
    struct Vocabulary {
        var dates: [String]
        var regions: [String]
        var branches: [String]
        var officers: [String]
    }

    static func vocabulary(_ pool: PostgresPool) async throws -> Vocabulary {
        let dates = try await pool.query("SELECT DISTINCT calculation_date::text AS d FROM officer_metrics_daily ORDER BY 1")
            .map { try $0.decode(String.self, "d") }
        let regions = try await pool.query("SELECT DISTINCT region AS v FROM officers").map { try $0.decode(String.self, "v") }
        let branches = try await pool.query("SELECT DISTINCT branch AS v FROM officers").map { try $0.decode(String.self, "v") }
        let officers = try await pool.query("SELECT officer_id AS v FROM officers").map { try $0.decode(String.self, "v") }
        return Vocabulary(dates: dates, regions: regions, branches: branches, officers: officers)
    }

    static func randomQuery(_ words: Vocabulary, _ rng: inout SplitMix64) -> ListQuery {
        var query = ListQuery()
        func maybe(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
        func pick(_ list: [String]) -> String { list.randomElement(using: &rng) ?? "" }
        if maybe(25), let first = words.dates.first, let last = words.dates.last {
            // A range: the whole book, one day, or a part (sometimes with no date at all).
            let start = maybe(50) ? first : pick(words.dates)
            let end = maybe(50) ? last : max(start, pick(words.dates))
            query.range = (start, end)
            query.parameters += [("start_date", start), ("end_date", end)]
        } else if maybe(40) {
            query.date = pick(words.dates)
            query.parameters.append(("date", query.date ?? ""))
        }
        if maybe(25) { query.region = pick(words.regions); query.parameters.append(("region", query.region ?? "")) }
        if maybe(20) { query.branch = pick(words.branches); query.parameters.append(("branch", query.branch ?? "")) }
        if maybe(10) {
            query.officerID = maybe(80) ? pick(words.officers) : "no-such-officer"
            query.parameters.append(("officer_id", query.officerID ?? ""))
        }
        if maybe(20) { query.riskBand = pick(["Green", "Watch", "Amber", "Red"]); query.parameters.append(("risk_band", query.riskBand ?? "")) }
        if maybe(80) {
            let name = pick(OfficerFields.sortable.keys.sorted())
            let descending = maybe(50)
            query.sort = (name, descending)
            query.parameters.append(("sort", (descending ? "-" : "") + name))
        }
        if maybe(60) {
            var names = OfficerFields.all.map(\.name).shuffled(using: &rng)
            names = Array(names.prefix(Int.random(in: 1...6, using: &rng)))
            query.fields = names
            query.parameters.append(("fields", names.joined(separator: ",")))
        }
        query.perPage = [1, 2, 3, 7, 50, 500].randomElement(using: &rng) ?? 50
        query.parameters.append(("per_page", String(query.perPage)))
        query.page = maybe(15) ? Int.random(in: 50...200, using: &rng) : Int.random(in: 1...4, using: &rng)
        query.parameters.append(("page", String(query.page)))
        // A token's scope: a few names, never two spellings Swift deems equal (`AccessScope` keeps
        // one of those, a separate matter from the list).
        func some(_ list: [String], _ most: Int) -> [String] {
            var chosen: [String] = []
            for name in list.shuffled(using: &rng) where !chosen.contains(name) && chosen.count < most { chosen.append(name) }
            return chosen
        }
        if maybe(30) {
            query.scope.regions = maybe(70) ? some(words.regions, Int.random(in: 1...2, using: &rng)) : nil
            query.scope.branches = maybe(50) ? some(words.branches, Int.random(in: 1...3, using: &rng)) : nil
        }
        return query
    }

    /// The answer, from SQL written for this test: the served dates, then every matching row in
    /// the database's order (`ORDER BY` here, not in Swift), sliced to the page. Returns the
    /// expected `data` array as JSON text, the total and the served dates (newest first).
    static func expected(_ query: ListQuery, pool: PostgresPool) async throws -> (data: [UInt8], total: Int, dates: [String]) {
        let dates: [String]
        if let range = query.range {
            dates = try await pool.query("""
                SELECT calculation_date::text AS d FROM officer_metrics_served_dates
                WHERE calculation_date >= $1::date AND calculation_date <= $2::date ORDER BY calculation_date DESC
                """, [range.0, range.1]).map { try $0.decode(String.self, "d") }
        } else if let date = query.date {
            dates = [date]
        } else {
            dates = try await pool.query("SELECT max(calculation_date)::text AS d FROM officer_metrics_served_dates")
                .compactMap { try $0.decode(String?.self, "d") }
        }
        let fields = (query.fields ?? OfficerFields.all.map(\.name)).compactMap { name in OfficerFields.all.first { $0.name == name } }
        let order: String
        if let sort = query.sort, let spec = OfficerFields.sortable[sort.name] {
            order = "\(spec.sql) \(sort.descending ? "DESC" : "ASC") NULLS LAST"
        } else {
            order = "m.rank ASC NULLS LAST"
        }
        let columns = (["m.officer_id AS \"__id\""] + fields.enumerated().map { "(\($1.sql))::text AS \"c\($0)\"" }).joined(separator: ", ")
        let rows = try await pool.query("""
            SELECT \(columns)
            FROM officers off JOIN officer_metrics_daily m USING (officer_id)
            WHERE m.calculation_date::text = ANY($1::text[])
              AND (off.region = ANY($2::text[]) OR $2::text[] IS NULL)
              AND (off.branch = ANY($3::text[]) OR $3::text[] IS NULL)
              AND (off.region = $4::text OR $4::text IS NULL) AND (off.branch = $5::text OR $5::text IS NULL)
              AND (m.officer_id = $6::text OR $6::text IS NULL) AND (m.risk_band = $7::text OR $7::text IS NULL)
            ORDER BY m.calculation_date DESC, \(order), m.officer_id
            """, [dates, query.scope.regions, query.scope.branches, query.region, query.branch, query.officerID, query.riskBand])
        let start = min((query.page - 1) * query.perPage, rows.count)
        let end = min(start + query.perPage, rows.count)
        var text = "["
        for index in start..<end {
            if index > start { text += "," }
            let members = try fields.enumerated().map { position, field -> String in
                let value = try rows[index].decode(String?.self, "c\(position)")
                let json: String
                switch (value, field.kind) {
                case (nil, _): json = "null"
                case (let value?, .number): json = value
                case (let value?, .bool): json = value == "true" ? "true" : "false"
                case (let value?, _): json = JSONWriter.quoted(value)
                }
                return JSONWriter.quoted(field.name) + ":" + json
            }
            // Without `fields=` the audit fields follow (joined at read time; the books here have
            // no audit rows, which `compare` checks).
            let audit = query.fields == nil ? ",\"assignee\":null,\"audit_status\":null,\"last_audit_date\":null" : ""
            text += "{" + members.joined(separator: ",") + audit + "}"
        }
        return (Array((text + "]").utf8), rows.count, dates)
    }

    /// Runs `count` random queries through the API of `app` and compares each with `expected`.
    static func compare(_ app: TestApp, pool: PostgresPool, count: Int, seed: UInt64) async throws {
        #expect(try await pool.query("SELECT count(*) AS n FROM audit_tracking")[0].decode(Int.self, "n") == 0)
        let words = try await vocabulary(pool)
        var rng = SplitMix64(seed: seed)
        let queries = (0..<count).map { _ in randomQuery(words, &rng) }
        try await app.application.test(.router) { client in
            for query in queries {
                let headers = try await app.headers("viewer", regions: query.scope.regions, branches: query.scope.branches)
                let want = try await expected(query, pool: pool)
                try await client.execute(uri: "/api/v1/metrics/officers?" + query.queryString, method: .get, headers: headers) { response in
                    #expect(response.status == .ok, "\(query)")
                    let body = Array(response.body.readableBytesView)
                    let prefix = Array("{\"success\":true,\"data\":".utf8)
                    let data = Array(body.dropFirst(prefix.count).prefix(want.data.count))
                    // Byte for byte (`String`'s `==` would equate canonically equivalent spellings).
                    let samePrefix = Array(body.prefix(prefix.count)) == prefix
                    let sameData = data == want.data
                    let metaFollows = Array(body.dropFirst(prefix.count + want.data.count).prefix(8)) == Array(",\"meta\":".utf8)
                    #expect(samePrefix && sameData && metaFollows,
                            "\(query)\n got: \(String(decoding: body.prefix(3000), as: UTF8.self))\nwant: \(String(decoding: want.data.prefix(3000), as: UTF8.self))")
                    let meta = try Body.meta(response)
                    #expect(meta["total"] == .number(String(want.total)), "\(query)")
                    #expect(meta["page"] == .number(String(query.page)), "\(query)")
                    #expect(meta["per_page"] == .number(String(query.perPage)), "\(query)")
                    #expect(meta["calculation_date"] == want.dates.first.map { JSONValue.string($0) } ?? JSONValue.null, "\(query)")
                    if query.range != nil {
                        #expect(meta["calculation_dates"] == JSONValue.array(want.dates.map { JSONValue.string($0) }), "\(query)")
                    }
                }
            }
        }
    }

    @Test("fixture: random list queries equal the SQL answer, without Redis and with it")
    func fixtureQueries() async throws {
        let database = try await SharedFixture.database()
        try await Self.compare(try await TestApp.make(database: database), pool: database.pool, count: 150, seed: 14)
        try await LocalRedis.with { redis in
            try await Self.compare(try await TestApp.make(database: database, redisURL: redis.url), pool: database.pool, count: 150, seed: 15)
        }
    }

    @Test("generated book with awkward ids and equal sort values: random list queries equal the SQL answer")
    func awkwardBook() async throws {
        try await TestDatabase.with { database in
            try await AwkwardBook.load(into: database.pool, seed: 2026)
            try await Self.compare(try await TestApp.make(database: database), pool: database.pool, count: 300, seed: 16)
            try await LocalRedis.with { redis in
                try await Self.compare(try await TestApp.make(database: database, redisURL: redis.url), pool: database.pool, count: 300, seed: 17)
            }
        }
    }

    @Test("a changed row shows once its tags are invalidated (versioned snapshot) and at once without Redis")
    func freshAfterWrite() async throws {
        try await TestDatabase.with { database in
            try await AwkwardBook.load(into: database.pool, seed: 7)
            let officer = try #require(try await database.pool.query(
                "SELECT officer_id AS v FROM officer_metrics_daily ORDER BY calculation_date DESC, officer_id LIMIT 1").first?.decode(String.self, "v"))
            let date = try #require(try await database.pool.query("SELECT max(calculation_date)::text AS d FROM officer_metrics_daily")
                .first?.decode(String.self, "d"))
            let encoded = try #require(officer.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let uris = ["/api/v1/metrics/officers?fields=officer_id,interest_collected&per_page=500",
                        "/api/v1/metrics/officers?fields=officer_id,interest_collected&officer_id=\(encoded)"]
            @Sendable func collected(_ client: some TestClientProtocol, _ uri: String, _ headers: HTTPFields) async throws -> String? {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    try Body.rows(response).first { $0["officer_id"]?.stringValue == officer }?["interest_collected"]?.numberText
                }
            }
            @Sendable func write(_ value: String) async throws {
                _ = try await database.pool.withConnection {
                    try await $0.execute("UPDATE officer_metrics_daily SET interest_collected = $1::numeric WHERE officer_id = $2 AND calculation_date = $3::date",
                                         [value, officer, date])
                }
            }
            // Without Redis: every load takes a snapshot read after it asked.
            let plain = try await TestApp.make(database: database)
            let plainHeaders = try await plain.headers("admin")
            try await plain.application.test(.router) { client in
                for value in ["123.45", "678.90"] {
                    try await write(value)
                    for uri in uris { #expect(try await collected(client, uri, plainHeaders) == value, "\(uri)") }
                }
            }
            // With Redis: the snapshot of the `book` version; a write invalidates as the daemon does.
            try await LocalRedis.with { redis in
                let app = try await TestApp.make(database: database, redisURL: redis.url)
                let headers = try await app.headers("admin")
                let client = try #require(app.redis)
                try await app.application.test(.live) { http in
                    try await CacheTests.waitForSubscription(app)
                    for uri in uris { #expect(try await collected(http, uri, headers) == "678.90", "\(uri)") }
                    for (round, value) in ["1.00", "2.50", "3.75"].enumerated() {
                        try await write(value)
                        try await CacheNamespace.invalidate(tags: [.book, .officer(officer)], redis: client)
                        // What the process serves from memory moves when the announcement arrives.
                        try await TargetedInvalidationTests.waitForVersions(app, [.book, .officer(officer)], at: Int64(round + 1))
                        for uri in uris {
                            let got = try await collected(http, uri, headers)
                            #expect(got == value, "\(uri): \(String(describing: got))")
                        }
                    }
                    let snapshots = try #require((app.dependencies.metricsRepository as? PostgresMetricsRepository)?.snapshots)
                    #expect(snapshots.count <= snapshots.capacity)
                }
            }
        }
    }

    @Test("NumericKey orders numbers as PostgreSQL sorts numeric and float8 columns, equal values equal")
    func numericOrder() async throws {
        let numerics = ["0", "-0.00", "1.50", "1.5", "1.51", "-1.5", "-1.49", "100.1", "2", "10", "9", "-10", "0.0001",
                        "0.00009", "123456789012345678901.2345", "-123456789012345678901.2345", "NaN", "Infinity", "-Infinity",
                        "99999999999999.99", "0.5", "0.50", "-0.5"]
        let floats = ["0", "-0", "1.5e-05", "0.000015", "1e+20", "-1e+20", "3.14", "NaN", "Infinity", "-Infinity", "2.5", "2.50"]
        try await TestDatabase.with(migrated: false) { database in
            for (values, type) in [(numerics, "numeric"), (floats, "float8")] {
                // The database's order and equality: each value's dense rank, printed back as the column prints it.
                let rows = try await database.pool.query("""
                    SELECT v::text AS v, dense_rank() OVER (ORDER BY v) AS r FROM unnest($1::text[]::\(type)[]) AS v
                    """, [values])
                let ranked = try rows.map { (text: try $0.decode(String.self, "v"), rank: try $0.decode(Int.self, "r")) }
                for a in ranked {
                    for b in ranked {
                        let x = try #require(NumericKey(Array(a.text.utf8)), "\(a.text)")
                        let y = try #require(NumericKey(Array(b.text.utf8)), "\(b.text)")
                        #expect((x < y) == (a.rank < b.rank) && (x == y) == (a.rank == b.rank), "\(type) \(a.text) vs \(b.text)")
                    }
                }
            }
        }
        #expect(NumericKey(Array("12abc".utf8)) == nil)
        #expect(NumericKey(Array("".utf8)) == nil)
    }

    /// Numbers the runs of a load.
    final class Runs: Sendable {
        private let count = Mutex(0)
        func next() -> Int { count.withLock { $0 += 1; return $0 } }
        var current: Int { count.withLock { $0 } }
    }

    @Test("a fresh load never takes a run that started before it asked")
    func freshFlight() async throws {
        let flight = FreshFlight<String, Int>()
        let gate = LoadGate()
        let runs = Runs()
        gate.arm()
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                try await flight.value("k") {
                    let run = runs.next()
                    await gate.pass()
                    return run
                }
            }
            try await Waiting.until("the first run is held") { gate.entered }
            for _ in 0..<3 {
                group.addTask { try await flight.value("k") { runs.next() } }
            }
            try await Waiting.until("three callers queue for the next run") { flight.queued(for: "k") == 3 }
            gate.release()
            var results: [Int] = []
            for try await value in group { results.append(value) }
            // The first caller got its run; the three that came later shared one run after it.
            #expect(results.sorted() == [1, 2, 2, 2])
        }
    }

    @Test("one snapshot per date: the one built last replaces the date's snapshot, dates beyond the capacity are dropped, removeAll drops every one")
    func oneSnapshotPerDate() async throws {
        let snapshots = OfficerSnapshots(capacity: 2)
        let runs = Runs()
        let days = try (1...3).map { try #require(CalendarDate(year: 2024, month: 11, day: $0)) }
        /// Loads `dates` at `book` version `version`: true when it built them.
        func built(_ dates: [CalendarDate], at version: Int64) async throws -> Bool {
            let before = runs.current
            let got = try await snapshots.snapshots(of: dates, version: KeyVersion(generation: 0, tagVersions: [version])) { dates in
                _ = runs.next()
                return Dictionary(uniqueKeysWithValues: dates.map { ($0, OfficerSnapshot(date: $0, rows: [], text: [], ends: [])) })
            }
            #expect(got.map(\.date) == dates.sorted())
            return runs.current > before
        }
        #expect(try await built([days[0]], at: 1))
        #expect(try await !built([days[0]], at: 1))
        // The version moves: built again, in place of the old one.
        #expect(try await built([days[0]], at: 2))
        #expect(snapshots.count == 1)
        #expect(try await !built([days[0]], at: 2))
        // Three dates on a capacity of two: the least recently used one goes.
        #expect(try await built([days[1], days[2]], at: 2))
        #expect(snapshots.count == 2)
        #expect(try await !built([days[2]], at: 2))
        #expect(try await built([days[0]], at: 2))
        // The generation or the subscription changed (a Redis restart counts from 0 again): nothing is kept.
        snapshots.removeAll()
        #expect(snapshots.count == 0)
        #expect(try await built([days[0]], at: 2))
    }
}
