import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// `metrics-worker rejects` and the output a person reads (issue 13), through the real program.
@Suite("metrics-worker rejects and result lines")
struct RejectsCommandTests {
    static func worker(_ arguments: [String], _ db: TestDatabase) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), arguments,
                                    environment: ["DATABASE_URL": db.configuration.url, "LOG_LEVEL": "warning"])
    }

    static var examples: URL { TestEnvironment.repositoryRoot.appendingPathComponent("examples") }

    @Test("rejects lists source, location, record and reasons; JSON has the payload; loading the file again stores no second copy")
    func listing() async throws {
        try await TestDatabase.with { db in
            let file = Self.examples.appendingPathComponent("portfolio.ndjson").path
            let first = try await Self.worker(["ingest", file], db)
            #expect(first.status == 65)
            #expect(first.output.contains("see them with: metrics-worker rejects"), "\(first.output)")
            #expect(try await Self.worker(["ingest", file], db).status == 65)
            let count = try await db.pool.query("SELECT count(*)::int AS n FROM etl_rejects")[0].decode(Int.self, "n")
            #expect(count == 1)

            let table = try await Self.worker(["rejects"], db)
            #expect(table.status == 0)
            #expect(table.output.contains("RECEIVED (UTC)"))
            #expect(table.output.contains("RP-5008"))
            #expect(table.output.contains("payment_amount"))
            #expect(table.output.contains("1 rejected record"))

            let json = try await Self.worker(["rejects", "--format", "json", "--source", file], db)
            #expect(json.status == 0)
            let parsed = try JSONReader().parse(Array(json.output.utf8))
            let rows = try #require(parsed.arrayValue)
            #expect(rows.count == 1)
            #expect(rows.first?.objectValue?["entity_id"] == .string("RP-5008"))
            #expect(rows.first?.objectValue?["payload"]?.stringValue?.contains("RP-5008") == true)

            let none = try await Self.worker(["rejects", "--source", "elsewhere.csv"], db)
            #expect(none.output.contains("no rejected records match"))
            let future = try await Self.worker(["rejects", "--since", "2999-01-01"], db)
            #expect(future.output.contains("no rejected records match"))
            #expect(try await Self.worker(["rejects", "--limit", "0"], db).status == 64)
            #expect(try await Self.worker(["rejects", "--since", "yesterday"], db).status == 64)
        }
    }

    @Test("a two-file ingest prints no PostgreSQL NOTICE; result lines name what they count")
    func resultLines() async throws {
        try await TestDatabase.with { db in
            let csv = Self.examples.appendingPathComponent("csv")
            let ingest = try await Self.worker(["ingest", "--csv", "officers", csv.appendingPathComponent("officers.csv").path,
                                                "--csv", "customers", csv.appendingPathComponent("customers.csv").path], db)
            #expect(ingest.status == 0, "\(ingest.output)")
            #expect(!ingest.output.contains("NOTICE"), "\(ingest.output)")
            #expect(!ingest.output.contains("repeated ids"), "\(ingest.output)")
            #expect(!ingest.output.contains("placeholder"), "\(ingest.output)")
            _ = try await Self.worker(["ingest", Self.examples.appendingPathComponent("portfolio.ndjson").path], db)
            let refresh = try await Self.worker(["full-refresh", "--as-of", "2024-11-01"], db)
            #expect(refresh.status == 0, "\(refresh.output)")
            #expect(!refresh.output.contains("NOTICE"), "\(refresh.output)")
            #expect(refresh.output.contains("full-refresh 2024-11-01: "), "\(refresh.output)")
            #expect(refresh.output.contains("loans refreshed"), "\(refresh.output)")
            #expect(refresh.output.contains("officer rows"), "\(refresh.output)")
            #expect(refresh.output.contains("branch rows"), "\(refresh.output)")
        }
    }

    @Test("a file loaded under two spellings of its path is one source: its rejects are stored once and found under either")
    func sourceSpellings() async throws {
        try await TestDatabase.with { db in
            let examples = Self.examples.path
            let plain = examples + "/portfolio.ndjson"
            let dotted = examples + "/./portfolio.ndjson"
            let detour = examples + "/../examples/portfolio.ndjson"
            #expect(try await Self.worker(["ingest", dotted], db).status == 65)
            #expect(try await Self.worker(["ingest", detour], db).status == 65)
            let sources = try await db.pool.query("SELECT source FROM etl_rejects").map { try $0.decode(String.self, "source") }
            #expect(sources == [plain])
            for spelling in [plain, dotted, detour] {
                let listed = try await Self.worker(["rejects", "--source", spelling], db)
                #expect(listed.output.contains("1 rejected record"), "\(spelling): \(listed.output)")
            }
        }
    }
}
