import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import Testing

/// Issue 14, "Exact, always": random sequences of ingests applied incrementally (the daemon's
/// `LiveUpdate`), compared after every round with a full refresh of the same inputs in a fresh
/// database: every loan state, officer row and branch row of D identical.
@Suite("The incremental path equals a full refresh from scratch")
struct LiveUpdatePropertyTests {
    /// The rows a refresh of D leaves, as comparable text (run-dependent columns dropped).
    static func snapshot(_ pool: PostgresPool, date: CalendarDate) async throws -> [String] {
        var lines: [String] = []
        for (label, sql) in [
            ("loan", """
                SELECT loan_id AS k, (to_jsonb(s) - 'computed_at' - 'refreshed_source_at' - 'state_hash')::text AS r
                FROM loan_states s
                """),
            ("officer", """
                SELECT officer_id AS k, (to_jsonb(m) - 'metric_id' - 'calculated_at' - 'created_at')::text AS r
                FROM officer_metrics_daily m WHERE calculation_date = $1
                """),
            ("branch", """
                SELECT branch AS k, (to_jsonb(b) - 'metric_id' - 'calculated_at' - 'created_at')::text AS r
                FROM branch_metrics_daily b WHERE calculation_date = $1
                """),
        ] {
            let rows = label == "loan" ? try await pool.query(sql + " ORDER BY 1") : try await pool.query(sql + " ORDER BY 1", [date])
            for row in rows {
                lines.append("\(label) \(try row.decode(String.self, "k")): \(try row.decode(String.self, "r"))")
            }
        }
        return lines
    }

    static func context(_ db: TestDatabase, _ date: CalendarDate) -> JobContext {
        JobContext(pool: db.pool, runner: JobRunner(pool: db.pool, redis: nil, logger: .init(label: "test")), asOf: date, partition: .all)
    }

    /// The same files ingested into a fresh database, then one full refresh of D.
    static func fromScratch(_ files: [String], date: CalendarDate) async throws -> [String] {
        try await TestDatabase.create(poolSize: 4).using { db in
            for file in files { _ = try await IngestCommand.ingest([(file, nil)], pool: db.pool) }
            _ = try await MetricJobs.fullRefresh(context(db, date))
            return try await snapshot(db.pool, date: date)
        }
    }

    static func differences(_ live: [String], _ scratch: [String]) -> [String] {
        let a = Set(live), b = Set(scratch)
        return (a.subtracting(b).sorted().map { "incremental only: \($0)" } + b.subtracting(a).sorted().map { "full refresh only: \($0)" })
    }

    @Test("random ingests applied incrementally equal a full refresh from scratch",
          arguments: [(UInt64(1), "2024-10-17"), (UInt64(2), "2024-11-15"), (UInt64(3), "2024-12-01")])
    func incrementalEqualsFullRefresh(seed: UInt64, day: String) async throws {
        let date = try #require(CalendarDate(iso: day))
        var book = LiveBook(seed: seed, asOf: date)
        var files = [try LiveBook.write(book.base(officers: 10, loans: 90), name: "base.ndjson")]
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(files[0], nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(Self.context(db, date))
            var random = SplitMix64(seed: seed &* 7919)
            for round in 1...4 {
                for step in 1...Int.random(in: 2...4, using: &random) {
                    let file = try LiveBook.write(book.changes(Int.random(in: 1...12, using: &random)), name: "r\(round)-\(step).ndjson")
                    files.append(file)
                    let summary = try await IngestCommand.ingest([(file, nil)], pool: db.pool)
                    #expect(summary.rejected == 0, "\(summary.line)")
                    // Sometimes two ingests are gathered into one batch.
                    if Bool.random(using: &random) { continue }
                    let outcome = try await LiveUpdate.applyPending(Self.context(db, date))
                    #expect(outcome.kind == .applied || outcome.kind == .idle, "round \(round) step \(step): \(outcome.kind)")
                }
                let outcome = try await LiveUpdate.applyPending(Self.context(db, date))
                #expect(outcome.kind == .applied || outcome.kind == .idle)
                let pending = try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n")
                #expect(pending == 0)
                let live = try await Self.snapshot(db.pool, date: date)
                let scratch = try await Self.fromScratch(files, date: date)
                let problems = Self.differences(live, scratch)
                #expect(!live.isEmpty)
                #expect(problems.isEmpty, "seed \(seed) round \(round): \(problems.count) differences:\n\(problems.prefix(8).joined(separator: "\n"))")
            }
        }
    }

    @Test("an ingest before D's refresh: the batch runs a full refresh of D and consumes the marks")
    func incompleteDateRunsFullRefresh() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 9, asOf: date)
        let file = try LiveBook.write(book.base(officers: 4, loans: 20), name: "base.ndjson")
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(file, nil)], pool: db.pool)
            let marks = try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n")
            #expect(marks >= 24, "a loan insert and an officer insert each leave a mark")
            let outcome = try await LiveUpdate.applyPending(Self.context(db, date))
            #expect(outcome.kind == .fullRefresh)
            #expect(outcome.changes == marks)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n") == 0)
            let live = try await Self.snapshot(db.pool, date: date)
            #expect(Self.differences(live, try await Self.fromScratch([file], date: date)).isEmpty)
            #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .idle)
        }
    }

    @Test("a job holding the writers' lock makes the batch wait (busy), and the marks stay")
    func busyWhileAJobRuns() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 11, asOf: date)
        let file = try LiveBook.write(book.base(officers: 4, loans: 20), name: "base.ndjson")
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(file, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(Self.context(db, date))
            _ = try await IngestCommand.ingest([(try LiveBook.write(book.changes(5), name: "c.ndjson"), nil)], pool: db.pool)
            let before = try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n")
            try await db.pool.withConnection { job in
                try await job.query("SELECT pg_advisory_lock_shared($1)", [JobRunner.writersLockKey])
                #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .busy)
                try await job.query("SELECT pg_advisory_unlock_shared($1)", [JobRunner.writersLockKey])
            }
            #expect(try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n") == before)
            #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .applied)
        }
    }

    @Test("a batch that fails between two steps (states written, officer rows refused) leaves its marks; the next batch converges")
    func failureMidBatchLosesNothing() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 13, asOf: date)
        var files = [try LiveBook.write(book.base(officers: 6, loans: 40), name: "base.ndjson")]
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(files[0], nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(Self.context(db, date))
            files.append(try LiveBook.write(book.changes(15), name: "c.ndjson"))
            _ = try await IngestCommand.ingest([(files[1], nil)], pool: db.pool)
            let marks = try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n")
            #expect(marks > 0)
            // The officer-row step fails after the loan states were written (as a crash there would).
            try await db.pool.query("ALTER TABLE officer_metrics_daily ADD CONSTRAINT no_rows CHECK (false) NOT VALID")
            await #expect(throws: (any Error).self) { try await LiveUpdate.applyPending(Self.context(db, date)) }
            #expect(try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n") == marks)
            try await db.pool.query("ALTER TABLE officer_metrics_daily DROP CONSTRAINT no_rows")
            #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .applied)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n") == 0)
            let problems = Self.differences(try await Self.snapshot(db.pool, date: date), try await Self.fromScratch(files, date: date))
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }

    @Test("a mark committed while a batch computes is not deleted by that batch")
    func markDuringBatchSurvives() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 17, asOf: date)
        let base = try LiveBook.write(book.base(officers: 4, loans: 20), name: "base.ndjson")
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(base, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(Self.context(db, date))
            _ = try await IngestCommand.ingest([(try LiveBook.write(book.changes(3), name: "a.ndjson"), nil)], pool: db.pool)
            // A transaction that marks a loan and commits only after the batch has read the marks:
            // its mark has a lower change_id than marks read... or a higher one; either way it stays.
            try await db.pool.withConnection { writer in
                try await writer.withTransaction { tx in
                    try await tx.query("UPDATE loan_sources SET source_changed_at = now() WHERE loan_id = 'LN00001'")
                    #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .applied)
                }
            }
            let left = try await db.pool.query("SELECT loan_id FROM live_changes")
            #expect(left.count == 1)
            #expect(try left.first?.decode(String?.self, "loan_id") == "LN00001")
            #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .applied)
        }
    }

    @Test("states stored before the contributions existed (schema 11): the first batch runs a full refresh, the next ones are incremental")
    func statesWithoutContributions() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 37, asOf: date)
        var files = [try LiveBook.write(book.base(officers: 5, loans: 40), name: "base.ndjson")]
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(files[0], nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(Self.context(db, date))
            #expect(try await db.pool.withConnection { try await LoanContribution.contributionsComplete(on: $0) })
            // As stored before 0011 (for some of the loans): no contributions or officer, and a
            // state_hash of the columns without them.
            let cleared = (LoanContribution.columns + ["officer_id"]).map { "\($0) = NULL" }.joined(separator: ", ")
            try await db.pool.query("UPDATE loan_states SET \(cleared), state_hash = state_hash # 1 WHERE loan_id < 'LN00020'")
            #expect(try await db.pool.withConnection { try await !LoanContribution.contributionsComplete(on: $0) })
            for round in 1...2 {
                files.append(try LiveBook.write(book.changes(6), name: "c\(round).ndjson"))
                _ = try await IngestCommand.ingest([(files[round], nil)], pool: db.pool)
                let outcome = try await LiveUpdate.applyPending(Self.context(db, date))
                #expect(outcome.kind == (round == 1 ? .fullRefresh : .applied), "round \(round)")
                let problems = Self.differences(try await Self.snapshot(db.pool, date: date), try await Self.fromScratch(files, date: date))
                #expect(problems.isEmpty, "round \(round): \(problems.prefix(5))")
            }
        }
    }

    @Test("the same file ingested again (a retry) leaves no marks and changes nothing")
    func retriedIngestLeavesNoMarks() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 29, asOf: date)
        let base = try LiveBook.write(book.base(officers: 4, loans: 20), name: "base.ndjson")
        let change = try LiveBook.write(book.changes(12), name: "change.ndjson")
        try await TestDatabase.create(poolSize: 6).using { db in
            for file in [base, change] { _ = try await IngestCommand.ingest([(file, nil)], pool: db.pool) }
            _ = try await MetricJobs.fullRefresh(Self.context(db, date))
            #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .applied)
            // The retry of the last file (re-sending the base would undo the changes: not a retry).
            _ = try await IngestCommand.ingest([(change, nil)], pool: db.pool)
            #expect(try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n") == 0)
            #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .idle)
        }
    }

    @Test("a daemon date earlier than the loan states' keeps the marks (skipped), a daemon for the states' date applies them")
    func earlierDateKeepsMarks() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 31, asOf: date)
        let base = try LiveBook.write(book.base(officers: 4, loans: 20), name: "base.ndjson")
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(base, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(Self.context(db, date))
            _ = try await IngestCommand.ingest([(try LiveBook.write(book.changes(6), name: "c.ndjson"), nil)], pool: db.pool)
            let marks = try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n")
            await #expect(throws: JobSkipped.self) { try await LiveUpdate.applyPending(Self.context(db, date.adding(days: -1))) }
            #expect(try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n") == marks)
            #expect(try await LiveUpdate.applyPending(Self.context(db, date)).kind == .applied)
        }
    }
}
