import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// A long input is written two chunks at a time when the pool has a connection to spare
/// (`Ingestor.pipeline`): the result must be that of writing the chunks one after the other.
@Suite("Ingest: chunks written two at a time")
struct IngestConcurrentChunksTests {
    /// A book, then rounds of changes to it (new loans and repayments, repayments re-sent
    /// reversed, loans closed, moved to another officer or given another schedule, officers moved),
    /// repayments re-sent under another loan, records repeated far apart, and bad lines: one input
    /// whose chunks often share rows with the chunk before them.
    static func input(seed: UInt64) throws -> String {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: seed, asOf: date)
        var lines = book.base(officers: 8, loans: 120)
        for _ in 0..<6 { lines += book.changes(40) }
        var random = SplitMix64(seed: seed)
        let repayments = lines.filter { $0.contains("\"repayment_id\"") }
        let loanIDs = lines.compactMap { line -> String? in
            guard !line.contains("\"repayment_id\""), line.contains("\"loan_amount\""),
                  let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["loan_id"] as? String
        }
        for _ in 0..<30 {
            // A stored repayment re-sent under another loan (the old loan is marked by a trigger).
            guard let line = repayments.randomElement(using: &random), let loan = loanIDs.randomElement(using: &random),
                  var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            object["loan_id"] = loan
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        for _ in 0..<20 {
            // A record sent again much later, and a bad line now and then.
            let at = Int.random(in: lines.count / 2...lines.count, using: &random)
            lines.insert(lines[Int.random(in: 0..<lines.count / 2, using: &random)], at: at)
        }
        for (index, bad) in ["{not json", "{\"repayment_id\":\"R-X\",\"loan_id\":\"NO-SUCH-LOAN\",\"payment_date\":\"2024-10-01\",\"payment_amount\":1,\"principal_paid\":1,\"interest_paid\":0,\"fees_paid\":0,\"penalty_paid\":0}",
                                 "{\"officer_id\":\"O-BAD\",\"officer_name\":42,\"region\":\"R\",\"branch\":\"B\"}"].enumerated() {
            lines.insert(bad, at: (index + 1) * lines.count / 4)
        }
        return try LiveBook.write(lines, name: "concurrent-\(seed).ndjson")
    }

    /// The source tables, the rejects and the loans and officers marked for the daemon.
    static func state(_ pool: PostgresPool) async throws -> [String] {
        var lines = try await IngestTests.fingerprint(pool)
        lines += try await pool.query("""
            SELECT 'reject:' || location || ':' || coalesce(entity_id, '') || ':' || reasons::text AS r FROM etl_rejects
            """).map { try $0.decode(String.self, "r") }
        lines += try await pool.query("""
            SELECT DISTINCT 'mark:' || coalesce(loan_id, '') || ':' || coalesce(officer_id, '') || ':' || coalesce(previous_branch, '') AS r
            FROM live_changes
            """).map { try $0.decode(String.self, "r") }
        return lines.sorted()
    }

    @Test("chunks written two at a time leave every row, reject, mark and count as writing them one by one does",
          arguments: [31 as UInt64, 32, 33])
    func sameAsOneByOne(seed: UInt64) async throws {
        let path = try Self.input(seed: seed)
        var results: [(summary: Ingestor.Summary, state: [String])] = []
        // 1: one connection (looks up between writes); 2: one writer and one lookup; 6: two writers.
        for poolSize in [1, 2, 6] {
            try await TestDatabase.with(poolSize: poolSize) { db in
                // Small chunks: many of them, some sharing a row with the chunk before (kept in order), others not (written two at a time).
                let summary = try await IngestCommand.ingest([(path, nil)], pool: db.pool, chunkSize: 17)
                results.append((summary, try await Self.state(db.pool)))
            }
        }
        let one = results[0]
        #expect(one.summary.chunksWrittenBeside == 0 && results[1].summary.chunksWrittenBeside == 0)
        #expect(results[2].summary.chunksWrittenBeside > 0, "no chunk was written beside another: the test shows nothing")
        #expect(one.summary.rejected == 3)
        for other in results.dropFirst() {
            #expect(other.summary.accepted == one.summary.accepted && other.summary.rejected == one.summary.rejected)
            #expect(other.summary.counts.inserted == one.summary.counts.inserted)
            #expect(other.summary.counts.updated == one.summary.counts.updated)
            #expect(other.summary.counts.unchanged == one.summary.counts.unchanged)
            #expect(other.summary.counts.touchedLoans == one.summary.counts.touchedLoans)
            let missing = Set(one.state).subtracting(other.state), extra = Set(other.state).subtracting(one.state)
            #expect(other.state == one.state, "missing \(missing.sorted().prefix(5)), extra \(extra.sorted().prefix(5))")
        }
    }

    /// The loans first, then their repayments round by round (every loan's first, then every
    /// loan's second, ...): consecutive chunks name different loans, so they go two at a time.
    static func roundsInput(loans: Int) throws -> (path: String, repaymentIDs: [String]) {
        var portfolio = DemoPortfolio(officers: 10, loans: loans, seed: 7, asOf: try #require(CalendarDate(iso: "2024-11-30")))
        var head = portfolio.masterData().map(\.jsonText)
        var rounds: [[String]] = []
        for index in 0..<portfolio.loans {
            var nth = 0
            for record in portfolio.loan(index).map(\.jsonText) {
                guard record.contains("\"repayment_id\"") else { head.append(record); continue }
                if rounds.count <= nth { rounds.append([]) }
                rounds[nth].append(record)
                nth += 1
            }
        }
        let ids = try rounds.flatMap { $0 }.map { line in
            try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["repayment_id"] as? String)
        }
        return (try IngestTests.write((head + rounds.flatMap { $0 }).joined(separator: "\n")), ids)
    }

    /// A test-only trigger: the first insert of repayment `id` fails with a deadlock (40P01). With
    /// `besideAnother`, only once another client's write transaction in the database is open
    /// (waiting up to 10 s for one, else failing with another error, P0001), so that the failure
    /// happens while another chunk is being written. `test_fail_once` (a sequence: not rolled back
    /// with the failed transaction) counts the tries.
    static func failOnce(repayment id: String, besideAnother: Bool, on pool: PostgresPool) async throws {
        try await pool.query("CREATE SEQUENCE test_fail_once")
        try await pool.query("CREATE TABLE test_fail_target (repayment_id text, beside boolean)")
        try await pool.query("INSERT INTO test_fail_target VALUES ($1, $2)", [id, besideAnother])
        try await pool.query("""
            CREATE FUNCTION test_fail_once() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF NEW.repayment_id = (SELECT repayment_id FROM test_fail_target) AND nextval('test_fail_once') = 1 THEN
                    IF (SELECT beside FROM test_fail_target) THEN
                        FOR i IN 1..1001 LOOP
                            IF i = 1001 THEN
                                RAISE EXCEPTION 'no other write transaction came within 10 s';
                            END IF;
                            PERFORM pg_stat_clear_snapshot();
                            EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                                              AND datname = current_database() AND backend_type = 'client backend'
                                              AND backend_xid IS NOT NULL);
                            PERFORM pg_sleep(0.01);
                        END LOOP;
                    END IF;
                    RAISE EXCEPTION 'injected deadlock' USING ERRCODE = '40P01';
                END IF;
                RETURN NEW;
            END $f$
            """)
        try await pool.query("CREATE TRIGGER test_fail_once BEFORE INSERT ON repayments FOR EACH ROW EXECUTE FUNCTION test_fail_once()")
    }

    @Test("a chunk whose transaction fails (a deadlock) while another chunk is written beside it is written again alone: the load ends as a clean load does")
    func failedBesideIsWrittenAgain() async throws {
        let (path, ids) = try Self.roundsInput(loans: 600)
        try await TestDatabase.with(poolSize: 6) { clean in
            try await TestDatabase.with(poolSize: 6) { faulty in
                let expected = try await IngestCommand.ingest([(path, nil)], pool: clean.pool, chunkSize: 100)
                try await Self.failOnce(repayment: ids[ids.count / 2], besideAnother: true, on: faulty.pool)
                let summary = try await IngestCommand.ingest([(path, nil)], pool: faulty.pool, chunkSize: 100)
                #expect(try await faulty.count("SELECT last_value::int AS n FROM test_fail_once") == 2,
                        "the failure was injected once and the chunk written again")
                #expect(summary.chunksWrittenBeside > 0 && expected.chunksWrittenBeside > 0)
                #expect(summary.accepted == expected.accepted && summary.rejected == 0)
                #expect(summary.counts.inserted == expected.counts.inserted)
                #expect(summary.counts.touchedLoans == expected.counts.touchedLoans)
                let want = try await Self.state(clean.pool), state = try await Self.state(faulty.pool)
                let missing = Set(want).subtracting(state), extra = Set(state).subtracting(want)
                #expect(state == want, "missing \(missing.sorted().prefix(5)), extra \(extra.sorted().prefix(5))")
            }
        }
    }

    /// A pool of two: the load's writer and its lookup, so the chunks go through the pipeline one at a time.
    @Test("the same failure of a chunk written alone (a pool of two connections) stops the load with the server's error; the chunks before it stay written")
    func failedAloneStops() async throws {
        let (path, ids) = try Self.roundsInput(loans: 600)
        try await TestDatabase.with(poolSize: 2) { db in
            try await Self.failOnce(repayment: ids[ids.count / 2], besideAnother: false, on: db.pool)
            let error = await #expect(throws: PostgresError.self) {
                try await IngestCommand.ingest([(path, nil)], pool: db.pool, chunkSize: 100)
            }
            #expect(error?.sqlState == "40P01")
            #expect(try await db.count("SELECT last_value::int AS n FROM test_fail_once") == 1, "not written again")
            let written = try await db.count("SELECT count(*)::int AS n FROM repayments")
            #expect(written > 0 && written < ids.count)
            #expect(try await db.count("SELECT count(*)::int AS n FROM repayments WHERE repayment_id = $1", [ids[ids.count / 2]]) == 0)
        }
    }

    @Test("metrics-worker ingest SIGKILLed while it writes chunks two at a time, then run again: the rows, marks and rejects of one clean load")
    func killedAndRunAgain() async throws {
        let (path, ids) = try Self.roundsInput(loans: 1_500)
        let repayments = ids.count
        let binary = try TestEnvironment.value("TEST_WORKER_BIN")
        let arguments = ["ingest", "--chunk-size", "100", path]
        try await TestDatabase.with(poolSize: 1) { clean in
            try await TestDatabase.with(poolSize: 1) { killed in
                let whole = try await ProcessRunner.run(binary, arguments, environment: [
                    "DATABASE_URL": clean.configuration.url, "LOG_LEVEL": "info"])
                #expect(whole.status == 0, "\(whole.output.suffix(2000))")
                let beside = whole.output.firstMatch(of: /"chunks_written_beside":(\d+)/).flatMap { Int($0.1) } ?? 0
                #expect(beside > 0, "this input is written two chunks at a time: \(whole.output.suffix(2000))")

                let process = try BackgroundProcess.start(binary, arguments, environment: [
                    "DATABASE_URL": killed.configuration.url, "LOG_LEVEL": "warning"])
                try await Waiting.until("some repayments are written", timeout: .seconds(60), every: .milliseconds(5)) {
                    try await killed.count("SELECT count(*) AS n FROM repayments") > 0
                }
                process.send(SIGKILL)
                _ = try await process.waitForExit(timeout: .seconds(10))
                let atKill = try await killed.count("SELECT count(*) AS n FROM repayments")
                #expect(atKill < repayments, "killed after the last chunk: the test shows nothing")

                let again = try await ProcessRunner.run(binary, arguments, environment: [
                    "DATABASE_URL": killed.configuration.url, "LOG_LEVEL": "warning"])
                #expect(again.status == 0, "\(again.output.suffix(2000))")
                #expect(try await killed.count("SELECT count(*) AS n FROM repayments") == repayments)
                let expected = try await Self.state(clean.pool), state = try await Self.state(killed.pool)
                let missing = Set(expected).subtracting(state), extra = Set(state).subtracting(expected)
                #expect(state == expected, "missing \(missing.sorted().prefix(5)), extra \(extra.sorted().prefix(5))")
            }
        }
    }
}
