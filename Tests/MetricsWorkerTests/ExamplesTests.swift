import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// The sample portfolio in `examples/` (docs/ingest.md) loads through the real ingest paths, so
/// the samples and the documentation never go stale: the NDJSON file and the CSV files each hold
/// every record kind and exactly one broken record, and both give the same rows.
@Suite("examples/ sample portfolio")
struct ExamplesTests {
    static var examples: URL { TestEnvironment.repositoryRoot.appendingPathComponent("examples") }

    static var ndjsonPath: String { examples.appendingPathComponent("portfolio.ndjson").path }

    /// The CSV files in load order: master data first, loans before their repayments.
    static var csvInputs: [(path: String, kind: RecordKind?)] {
        let tables: [(String, RecordKind?)] = [
            ("officers", .officer), ("customers", .customer), ("team_members", .teamMember),
            ("loans", .loan), ("repayments", .repayment),
        ]
        return tables.map { (path: examples.appendingPathComponent("csv/\($0.0).csv").path, kind: $0.1) }
    }

    /// The CSV files as `metrics-worker ingest` arguments (`--csv TABLE FILE`, repeated).
    static var csvArguments: [String] {
        csvInputs.flatMap { ["--csv", $0.kind?.batchKey ?? "", $0.path] }
    }

    /// What an empty database takes from either form (examples/README.md).
    static let inserted: [RecordKind: Int] = [.officer: 3, .customer: 4, .teamMember: 2, .loan: 4, .repayment: 8]
    static let accepted = 21
    /// The deliberately broken record: a repayment with a negative `payment_amount`.
    static let brokenID = "RP-5008"
    static let brokenField = "payment_amount"

    /// The tables compared between the two loads: (table, key, columns left out). Timestamps
    /// differ by nature; `schedule_checksum` differs because CSV cannot carry LN-3002's schedule.
    static let compared: [(table: String, key: String, ignored: [String])] = [
        ("officers", "officer_id", ["created_at", "updated_at"]),
        ("customers", "customer_id", ["created_at", "updated_at"]),
        ("team_members", "member_id", ["created_at", "updated_at"]),
        ("loans", "loan_id", ["created_at", "updated_at", "source_changed_at", "computed_at", "schedule_checksum"]),
        ("repayments", "repayment_id", ["created_at", "updated_at"]),
    ]

    /// Runs `body` with a fresh migrated database, dropped afterwards (awaited), also when `body` throws.
    static func withDatabase<T>(_ body: (TestDatabase) async throws -> T) async throws -> T {
        try await TestDatabase.with(body)
    }

    /// Every row of the compared tables as `table:json`, in key order (table names, keys and
    /// column names are the constants above).
    static func rows(_ pool: PostgresPool) async throws -> [String] {
        var lines: [String] = []
        for (table, key, ignored) in compared {
            let minus = ignored.map { " - '\($0)'" }.joined()
            lines += try await pool.query("""
                SELECT '\(table):' || (to_jsonb(t)\(minus))::text AS r FROM \(table) t ORDER BY \(key)
                """).map { try $0.decode(String.self, "r") }
        }
        return lines
    }

    /// The lines of a file, without their line breaks.
    static func lines(of path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Checks a first load into an empty database: the counts per kind, and exactly one reject,
    /// the broken repayment, stored whole with a reason naming the field.
    static func expectLoaded(_ summary: Ingestor.Summary, pool: PostgresPool, brokenSource: String) async throws {
        #expect(summary.accepted == accepted)
        #expect(summary.rejected == 1)
        #expect(summary.duplicates == 0)
        #expect(summary.unknownFieldCounts.isEmpty, "\(summary.unknownFieldCounts)")
        for kind in RecordKind.allCases {
            #expect(summary.counts.inserted[kind, default: 0] == inserted[kind, default: 0], "inserted \(kind.batchKey)")
        }
        #expect(summary.counts.placeholders == 0)

        let rejects = try await pool.query(
            "SELECT source, location, entity_type, entity_id, payload FROM etl_rejects ORDER BY reject_id")
        try #require(rejects.count == 1)
        let reject = rejects[0]
        let sourceLines = try lines(of: brokenSource)
        let index = try #require(sourceLines.firstIndex(where: { $0.contains(brokenID) }))
        #expect(try reject.decode(String.self, "source") == brokenSource)
        #expect(try reject.decode(String.self, "location") == "line \(index + 1)")
        #expect(try reject.decode(String?.self, "entity_type") == RecordKind.repayment.rawValue)
        #expect(try reject.decode(String?.self, "entity_id") == brokenID)
        // Stored whole, exactly as received.
        #expect(try reject.decode(String.self, "payload") == sourceLines[index])
        let fields = try await pool.query(
            "SELECT reason->>'field' AS field FROM etl_rejects, jsonb_array_elements(reasons) AS reason")
            .map { try $0.decode(String.self, "field") }
        #expect(fields == [brokenField])
        #expect(try await pool.query("SELECT count(*) AS n FROM repayments WHERE repayment_id = $1", [brokenID])[0]
            .decode(Int.self, "n") == 0)
    }

    @Test("portfolio.ndjson: every kind loads, the one broken repayment is rejected naming payment_amount")
    func ndjson() async throws {
        try await Self.withDatabase { db in
            let summary = try await IngestCommand.ingest([(Self.ndjsonPath, nil)], pool: db.pool)
            try await Self.expectLoaded(summary, pool: db.pool, brokenSource: Self.ndjsonPath)
            // LN-3002's own schedule (JSON only) is stored as given.
            let schedule = try await db.pool.query(
                "SELECT count(*) AS n FROM loan_schedule WHERE loan_id = 'LN-3002' AND schedule_source = 'given'")
            #expect(try schedule[0].decode(Int.self, "n") == 3)
        }
    }

    @Test("csv/*.csv: every table loads through --csv, the one broken repayment is rejected naming payment_amount")
    func csv() async throws {
        try await Self.withDatabase { db in
            let summary = try await IngestCommand.ingest(Self.csvInputs, pool: db.pool)
            let repayments = try #require(Self.csvInputs.last?.path)
            try await Self.expectLoaded(summary, pool: db.pool, brokenSource: repayments)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM loan_schedule")[0].decode(Int.self, "n") == 0)
        }
    }

    @Test("the NDJSON and the CSV samples give identical officers, customers, team members, loans and repayments")
    func sameRows() async throws {
        let fromNDJSON = try await Self.withDatabase { db in
            _ = try await IngestCommand.ingest([(Self.ndjsonPath, nil)], pool: db.pool)
            return try await Self.rows(db.pool)
        }
        let fromCSV = try await Self.withDatabase { db in
            _ = try await IngestCommand.ingest(Self.csvInputs, pool: db.pool)
            return try await Self.rows(db.pool)
        }
        #expect(fromNDJSON.count == Self.inserted.values.reduce(0, +))
        #expect(fromNDJSON == fromCSV)
    }

    @Test("loading the samples again changes nothing but LN-3002's schedule, which CSV cannot carry (upsert by id)")
    func reloadChangesNothing() async throws {
        try await Self.withDatabase { db in
            _ = try await IngestCommand.ingest([(Self.ndjsonPath, nil)], pool: db.pool)
            let before = try await Self.rows(db.pool)
            let again = try await IngestCommand.ingest([(Self.ndjsonPath, nil)], pool: db.pool)
            #expect(again.accepted == Self.accepted && again.rejected == 1)
            #expect(again.counts.inserted.values.reduce(0, +) == 0)
            #expect(again.counts.updated.values.reduce(0, +) == 0)
            #expect(again.counts.unchanged.values.reduce(0, +) == Self.accepted)
            #expect(try await Self.rows(db.pool) == before)
            // The CSV form of the same records: only LN-3002 changes (its given schedule goes).
            let csv = try await IngestCommand.ingest(Self.csvInputs, pool: db.pool)
            #expect(csv.counts.inserted.values.reduce(0, +) == 0)
            #expect(csv.counts.updated[.loan] == 1)
            #expect(csv.counts.updated.values.reduce(0, +) == 1, "\(csv.counts.updated)")
            #expect(try await Self.rows(db.pool) == before)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM loan_schedule")[0].decode(Int.self, "n") == 0)
        }
    }

    @Test("the documented command lines exit 65 and load the rest")
    func commandLines() async throws {
        let worker = try TestEnvironment.value("TEST_WORKER_BIN")
        for arguments in [["ingest", Self.ndjsonPath], ["ingest"] + Self.csvArguments] {
            try await Self.withDatabase { db in
                let run = try await ProcessRunner.run(worker, arguments, environment: [
                    "DATABASE_URL": db.configuration.url, "LOG_LEVEL": "warning"])
                #expect(run.status == 65, "\(arguments): \(run.output)")
                let loaded = try await db.pool.query("""
                    SELECT (SELECT count(*) FROM officers) + (SELECT count(*) FROM customers)
                         + (SELECT count(*) FROM team_members) + (SELECT count(*) FROM loans)
                         + (SELECT count(*) FROM repayments) AS n
                    """)[0].decode(Int.self, "n")
                #expect(loaded == Self.accepted, "\(arguments)")
                #expect(try await db.pool.query("SELECT count(*) AS n FROM etl_rejects")[0].decode(Int.self, "n") == 1)
            }
        }
    }
}
