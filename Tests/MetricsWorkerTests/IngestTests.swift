import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

@Suite("metrics-worker ingest")
struct IngestTests {
    static var inputPath: String { FixtureDatabase.fixturesDirectory.appendingPathComponent("small/input.json").path }

    /// Every row of the source tables, timestamps left out, as one sorted list.
    static func fingerprint(_ pool: PostgresPool) async throws -> [String] {
        var lines: [String] = []
        for table in ["officers", "customers", "team_members", "loans", "repayments", "loan_schedule"] {
            lines += try await pool.query("""
                SELECT '\(table)' || ':' || (to_jsonb(t) - 'created_at' - 'updated_at' - 'source_changed_at')::text AS r FROM \(table) t
                """).map { try $0.decode(String.self, "r") }
        }
        return lines.sorted()
    }

    static func write(_ text: String) throws -> String {
        let path = try ServerScript.makeDirectory("ingest") + "/input.ndjson"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("ingesting the same input twice changes nothing the second time")
    func idempotent() async throws {
        try await TestDatabase.create().using { db in
            let first = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            #expect(first.accepted == 390 && first.rejected == 0)
            #expect(first.unknownFieldCounts["dpd_at_payment"] == 246)
            let before = try await Self.fingerprint(db.pool)
            let changedAt = try await db.pool.query("SELECT max(updated_at) AS t FROM loans")[0].decode(Date.self, "t")
            let second = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            #expect(second.counts.inserted.values.reduce(0, +) == 0)
            #expect(second.counts.updated.values.reduce(0, +) == 0)
            #expect(second.counts.unchanged.values.reduce(0, +) == 390)
            #expect(try await Self.fingerprint(db.pool) == before)
            #expect(try await db.pool.query("SELECT max(updated_at) AS t FROM loans")[0].decode(Date.self, "t") == changedAt)
        }
    }

    @Test("a loan's schedule checksum is the FNV-1a of its installments' text in number order: the value every release stored")
    func scheduleChecksumIsStable() async throws {
        // Installments sent out of order; the stored checksum must not change when the code that
        // computes it does (a different value would rewrite every loan on the next load).
        let loan = #"{"loan_id":"CK-1","customer_id":"C-1","customer_name":"A","officer_id":"O-1","officer_name":"B","region":"R","branch":"Br","loan_amount":300,"disbursement_date":"2024-01-01","maturity_date":"2024-03-31","loan_term_days":90,"interest_rate":0.24,"fee_amount":0,"channel":"Direct","status":"Active","schedule":[{"installment_number":2,"due_date":"2024-03-01","principal_due":100,"interest_due":2,"fee_due":0},{"installment_number":1,"due_date":"2024-02-01","principal_due":100,"interest_due":2.5,"fee_due":1},{"installment_number":3,"due_date":"2024-03-31","principal_due":100,"interest_due":1.75,"fee_due":0}]}"#
        let path = try Self.write(loan + "\n")
        try await TestDatabase.create().using { db in
            let summary = try await IngestCommand.ingest([(path, nil)], pool: db.pool)
            #expect(summary.accepted == 1 && summary.rejected == 0)
            let text = "1|2024-02-01|100.00|2.50|1.00;2|2024-03-01|100.00|2.00|0.00;3|2024-03-31|100.00|1.75|0.00"
            let stored = try await db.pool.query("SELECT schedule_checksum FROM loan_accounts WHERE loan_id = 'CK-1'")[0]
                .decode(String.self, "schedule_checksum")
            #expect(stored == String(FNV1a.hash64(text), radix: 16))
        }
    }

    @Test("a batch with bad records: the good ones load, every bad one is in etl_rejects naming the field, exit 65")
    func badRecordsAreRejected() async throws {
        try await TestDatabase.create().using { db in
            let lines = [
                #"{"officer_id":"O1","officer_name":"Ada","region":"R","branch":"B"}"#,
                #"{"loan_id":"L1","customer_id":"C1","customer_name":"Ben","officer_id":"O1","officer_name":"Ada","region":"R","branch":"B","loan_amount":1000.00,"disbursement_date":"2024-10-01","maturity_date":"2024-10-31","loan_term_days":30,"interest_rate":0.1,"channel":"Direct","status":"Active"}"#,
                #"{"repayment_id":"P1","loan_id":"L1","payment_date":"2024-10-05","payment_amount":100.00,"principal_paid":100.00,"interest_paid":0,"fees_paid":0,"penalty_paid":0}"#,
                #"{"loan_id":"L2","customer_id":"C2","customer_name":"Cy","officer_id":"O1","officer_name":"Ada","region":"R","branch":"B","loan_amount":1000.005,"disbursement_date":"2024-10-01","maturity_date":"2024-10-31","loan_term_days":30,"channel":"Direct","status":"Active"}"#,
                #"{"repayment_id":"P2","loan_id":"NOPE","payment_date":"2024-10-05","payment_amount":1.00,"principal_paid":1.00,"interest_paid":0,"fees_paid":0,"penalty_paid":0}"#,
                #"{"repayment_id":"P3","loan_id":"L1","payment_date":"2024-02-30","payment_amount":1.00,"principal_paid":1.00,"interest_paid":0,"fees_paid":0,"penalty_paid":0}"#,
                #"{"loan_id":"L3","current_dpd":4,"customer_id":"C3","customer_name":"Di","officer_id":"O1","officer_name":"Ada","region":"R","branch":"B","loan_amount":10.00,"disbursement_date":"2024-10-01","maturity_date":"2024-10-31","loan_term_days":30,"channel":"Direct","status":"Active"}"#,
                #"{"repayment_id": "P4", "loan_id": "L1", this is not json"#,
            ]
            let path = try Self.write(lines.joined(separator: "\n") + "\n")
            let output = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), ["ingest", path],
                                                     environment: ["DATABASE_URL": db.configuration.url])
            #expect(output.status == 65, "\(output.output)")
            #expect(output.output.contains("accepted 3, rejected 5"), "\(output.output)")
            let rejects = try await db.pool.query("SELECT location, entity_id, reasons::text AS reasons, payload FROM etl_rejects ORDER BY reject_id")
            #expect(rejects.count == 5)
            let reasons = try rejects.map { try $0.decode(String.self, "reasons") }
            #expect(reasons.contains { $0.contains("loan_amount") })
            #expect(reasons.contains { $0.contains("\"loan_id\"") && $0.contains("NOPE") })
            #expect(reasons.contains { $0.contains("payment_date") })
            #expect(reasons.contains { $0.contains("current_dpd") })
            #expect(reasons.contains { $0.contains("invalid JSON") })
            let payloads = try rejects.map { try $0.decode(String.self, "payload") }
            #expect(payloads.contains(lines[7]))
            #expect(try await db.pool.query("SELECT count(*) AS n FROM loans")[0].decode(Int.self, "n") == 1)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM repayments")[0].decode(Int.self, "n") == 1)
        }
    }

    @Test("a repeated id in one input: the last one wins and counts as an update")
    func lastOneWins() async throws {
        try await TestDatabase.create().using { db in
            let path = try Self.write("""
                {"officer_id":"O1","officer_name":"First","region":"R","branch":"B"}
                {"officer_id":"O1","officer_name":"Second","region":"R","branch":"B"}
                """)
            let summary = try await IngestCommand.ingest([(path, nil)], pool: db.pool)
            #expect(summary.duplicates == 1)
            #expect(try await db.pool.query("SELECT officer_name FROM officers")[0].decode(String.self, "officer_name") == "Second")
        }
    }

    @Test("a large NDJSON file with malformed lines, wrong types, an unknown loan, duplicates and a truncated end: counts add up")
    func hostileNDJSON() async throws {
        try await TestDatabase.create().using { db in
            var portfolio = DemoPortfolio(officers: 10, loans: 1_500, seed: 5, asOf: try #require(CalendarDate(iso: "2024-11-30")))
            var valid = portfolio.masterData().map(\.jsonText)
            for index in 0..<portfolio.loans { valid += portfolio.loan(index).map(\.jsonText) }
            let bad = [
                "{not json at all",
                "{\"loan_id\": ",
                "[1, 2, 3]",
                "{\"repayment_id\":\"R-ORPHAN\",\"loan_id\":\"NO-SUCH-LOAN\",\"payment_date\":\"2024-11-01\",\"payment_amount\":10,\"principal_paid\":10,\"interest_paid\":0,\"fees_paid\":0,\"penalty_paid\":0}",
                "{\"officer_id\":\"O-BAD\",\"officer_name\":42,\"region\":\"R\",\"branch\":\"B\"}",
                "{\"officer_id\":\"O-BAD2\",\"officer_name\":\"X\",\"region\":\"R\",\"branch\":\"B\",\"hire_date\":\"2024-02-30\"}",
                "\u{FEFF}{\"officer_id\": \"O-BOM\"",
            ]
            // Bad lines spread through the file, a repeated record, and a final line cut off mid-way.
            var lines = valid
            for (i, line) in bad.enumerated() { lines.insert(line, at: (i + 1) * lines.count / (bad.count + 2)) }
            lines.insert(valid[0], at: lines.count / 2)
            let truncated = String(valid[valid.count - 1].prefix(25))
            lines[lines.count - 1] = truncated
            let path = try Self.write(lines.joined(separator: "\n"))

            let binary = try TestEnvironment.value("TEST_WORKER_BIN")
            let run = try await ProcessRunner.run(binary, ["ingest", path], environment: [
                "DATABASE_URL": db.configuration.url, "LOG_LEVEL": "warning"])
            #expect(run.status == 65, "\(run.output)")
            let rejected = bad.count + 1
            #expect(run.output.contains("rejected \(rejected)"), "\(run.output)")
            // Every input line is either loaded (once: the repeat replaced its twin) or in etl_rejects.
            let rejects = try await db.pool.query("SELECT count(*) AS n FROM etl_rejects")[0].decode(Int.self, "n")
            #expect(rejects == rejected)
            let loaded = try await db.pool.query("""
                SELECT (SELECT count(*) FROM officers) + (SELECT count(*) FROM team_members) + (SELECT count(*) FROM loans)
                     + (SELECT count(*) FROM repayments) AS n
                """)[0].decode(Int.self, "n")
            // Only the record whose line was cut off is missing (it is the last line, so nothing after
            // it depends on it).
            #expect(loaded == valid.count - 1)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM repayments WHERE loan_id = 'NO-SUCH-LOAN'")[0].decode(Int.self, "n") == 0)
        }
    }

    @Test("CSV initial load: the same validation, typed cells, rejects naming the field")
    func csvLoad() async throws {
        try await TestDatabase.create().using { db in
            let dir = try ServerScript.makeDirectory("csv")
            try """
                officer_id,officer_name,region,branch,has_float_gap
                O1,"Ada, Jr.",R,B,true
                O2,Bo,R,,false
                """.write(toFile: dir + "/officers.csv", atomically: true, encoding: .utf8)
            let summary = try await IngestCommand.ingest([(dir + "/officers.csv", .officer)], pool: db.pool)
            #expect(summary.accepted == 1 && summary.rejected == 1)
            #expect(try await db.pool.query("SELECT officer_name, has_float_gap FROM officers")[0].decode(String.self, "officer_name") == "Ada, Jr.")
            let reasons = try await db.pool.query("SELECT reasons::text AS r FROM etl_rejects")[0].decode(String.self, "r")
            #expect(reasons.contains("branch"))
        }
    }
}
