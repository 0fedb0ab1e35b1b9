import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import Testing

/// A next-day `full-refresh` re-reads only the loans whose stored row no longer holds (issue 17,
/// goal 2): their input changed, their officer or the officer's channel changed, or their row was
/// valid only through an earlier date. Day after day, every row it leaves must be the one a pass
/// over every loan gives from the same input. Serialized: each case runs two databases through 26
/// days, and run side by side they starved the broker tests of a 2-core CI machine.
@Suite("Next-day refresh: only the loans whose stored state no longer holds are re-read", .serialized)
struct NextDayRefreshTests {
    static func context(_ db: TestDatabase, _ date: CalendarDate, _ partition: Partition = .all,
                        wholePassShare: Double = LoanStateWriter.replaceFraction) -> JobContext {
        var context = JobContext(pool: db.pool, runner: JobRunner(pool: db.pool, redis: nil, logger: .init(label: "test")),
                                 asOf: date, partition: partition)
        context.wholePassShare = wholePassShare
        return context
    }

    /// What the API and the jobs read of D: the `loans` view (without the times of the writes and
    /// of the source, which differ between two databases), the officer and branch rows, the
    /// PAR15 snapshots and the bucket transitions.
    static func published(_ pool: PostgresPool, date: CalendarDate) async throws -> [String] {
        var lines: [String] = []
        for (label, sql, dated) in [
            ("loan", """
                SELECT loan_id AS k, (to_jsonb(l) - 'computed_at' - 'refreshed_source_at' - 'source_changed_at'
                                       - 'created_at' - 'updated_at')::text AS r FROM loans l
                """, false),
            ("officer", """
                SELECT officer_id AS k, (to_jsonb(m) - 'metric_id' - 'calculated_at' - 'created_at')::text AS r
                FROM officer_metrics_daily m WHERE calculation_date = $1
                """, true),
            ("branch", """
                SELECT branch AS k, (to_jsonb(b) - 'metric_id' - 'calculated_at' - 'created_at')::text AS r
                FROM branch_metrics_daily b WHERE calculation_date = $1
                """, true),
            ("snapshot", """
                SELECT officer_id || ' ' || snapshot_date AS k, (to_jsonb(p) - 'snapshot_id' - 'created_at')::text AS r
                FROM par15_snapshots p
                """, false),
            ("transition", """
                SELECT loan_id || ' ' || transition_date AS k, (to_jsonb(t) - 'transition_id' - 'created_at')::text AS r
                FROM dpd_transitions t
                """, false),
        ] {
            let rows = dated ? try await pool.query(sql + " ORDER BY 1, 2", [date]) : try await pool.query(sql + " ORDER BY 1, 2")
            for row in rows { lines.append("\(label) \(try row.decode(String.self, "k")): \(try row.decode(String.self, "r"))") }
        }
        return lines
    }

    @Test("day after day, with new input on some days, full-refresh re-reading only the stale loans (whole, or in N partitions) equals a pass over every loan",
          arguments: [(UInt64(41), "2024-10-03", 1), (UInt64(43), "2024-11-24", 1), (UInt64(47), "2024-12-09", 3)])
    func everyDayEqualsAWholePass(seed: UInt64, first: String, partitions: Int) async throws {
        let start = try #require(CalendarDate(iso: first))
        var book = LiveBook(seed: seed, asOf: start)
        let base = try LiveBook.write(book.base(officers: 8, loans: 90), name: "base.ndjson")
        try await TestDatabase.create(poolSize: 6).using { stale in
            try await TestDatabase.create(poolSize: 6).using { whole in
                for db in [stale, whole] { _ = try await IngestCommand.ingest([(base, nil)], pool: db.pool) }
                var random = SplitMix64(seed: seed &* 31)
                var rereads: [Int] = []
                let total = try await stale.count("SELECT count(*)::int AS n FROM loan_accounts")
                // 26 days: past a 15th (the PAR15 snapshot and the mid-month anchor) and a month's end.
                for offset in 0..<26 {
                    let date = start + offset
                    book.asOf = date
                    if offset > 0, Int.random(in: 0..<3, using: &random) == 0 {
                        let file = try LiveBook.write(book.changes(Int.random(in: 1...8, using: &random)), name: "day-\(offset).ndjson")
                        for db in [stale, whole] {
                            let summary = try await IngestCommand.ingest([(file, nil)], pool: db.pool)
                            #expect(summary.rejected == 0, "\(summary.line)")
                        }
                    }
                    // Always the stale loans alone (never the whole-pass fallback), to test that path.
                    var read = 0
                    for k in 0..<partitions {
                        let partition = partitions == 1 ? Partition.all : Partition(index: k, count: partitions)
                        read += try await MetricJobs.fullRefresh(Self.context(stale, date, partition, wholePassShare: 1.01)).processed
                    }
                    rereads.append(read)
                    let reference = Self.context(whole, date)
                    _ = try await MetricJobs.refreshLoans(reference, changedOnly: false)
                    if date.day == 15 { _ = try await MetricJobs.par15Snapshot(reference) }
                    _ = try await MetricJobs.officerMetrics(reference)
                    _ = try await MetricJobs.branchMetrics(reference)
                    let problems = LiveUpdatePropertyTests.differences(try await Self.published(stale.pool, date: date),
                                                                       try await Self.published(whole.pool, date: date))
                    #expect(problems.isEmpty, "\(date): \(problems.count) differences: \(problems.prefix(6))")
                    if !problems.isEmpty { break }
                }
                // The point of it: after the first day most loans are not re-read.
                let later = rereads.dropFirst()
                #expect(rereads.first == total)
                #expect(later.reduce(0, +) < later.count * total / 2, "loans re-read per day: \(rereads) of \(total)")
            }
        }
    }

    @Test("upgrading to schema 18 keeps what the loans view shows of every stored state, and the next refresh re-reads them all")
    func upgradeKeepsTheView() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            _ = try await MigrationRunner(migrations: migrations.filter { $0.version <= 17 }).run(on: db.pool)
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            // States as schema 17 stored them, as of 2024-11-01: in arrears with a larger past
            // maximum, current, and with the first installment missed and still unpaid.
            try await db.pool.query("""
                INSERT INTO loan_states (loan_id, current_dpd, max_dpd_ever, dpd_bucket, first_payment_missed, first_payment_due_date,
                                         first_payment_received_date, fimr_tagged, days_late, loan_risk_score, computed_as_of, officer_id)
                VALUES ('LN000001', 12, 20, '7-30', true, '2024-09-01', '2024-09-06', true, 5, 68, '2024-11-01', 'OFF0001'),
                       ('LN000002', 0, 3, '0', false, '2024-09-10', '2024-09-10', false, 0, 100, '2024-11-01', 'OFF0001'),
                       ('LN000003', 40, 40, '31-60', true, '2024-09-22', NULL, true, 40, 40, '2024-11-01', 'OFF0001')
                """)
            try await db.pool.query("INSERT INTO loan_states_date (as_of) VALUES ('2024-11-01')")
            let view = """
                SELECT string_agg(loan_id || ' ' || current_dpd || '/' || max_dpd_ever || '/' || days_late || '/' || loan_risk_score
                                  || '/' || computed_as_of, ', ' ORDER BY loan_id) AS r
                FROM loans WHERE loan_id IN ('LN000001', 'LN000002', 'LN000003')
                """
            let before = try await db.pool.query(view)[0].decode(String.self, "r")
            #expect(before == "LN000001 12/20/5/68/2024-11-01, LN000002 0/3/0/100/2024-11-01, LN000003 40/40/40/40/2024-11-01")
            _ = try await MigrationRunner(migrations: migrations).run(on: db.pool)
            #expect(try await db.pool.query(view)[0].decode(String.self, "r") == before)
            #expect(try await db.count("""
                SELECT count(*)::int AS n FROM loan_states WHERE arrears_since = computed_as_of - CASE loan_id WHEN 'LN000001' THEN 12 ELSE 40 END
                """) == 2)
            #expect(try await db.count("SELECT count(*)::int AS n FROM pg_class WHERE oid = 'loan_states'::regclass AND 'fillfactor=85' = ANY(reloptions)") == 1)
            // No row says how long it holds yet: every loan is stale.
            let loans = try await db.count("SELECT count(*)::int AS n FROM loan_accounts")
            let date = try #require(CalendarDate(iso: "2024-11-02"))
            #expect(try await db.count("SELECT count(*)::int AS n FROM (\(MetricJobs.staleLoansQuery)) x", [date]) == loans)
        }
    }

    @Test("a next day whose states were written and whose officer rows were not (a run stopped between the two), then full-refresh twice: the rows equal a pass over every loan, and the retry changes nothing")
    func statesWrittenThenOfficerRows() async throws {
        let day = try #require(CalendarDate(iso: "2024-11-13"))
        var book = LiveBook(seed: 53, asOf: day)
        let base = try LiveBook.write(book.base(officers: 8, loans: 90), name: "base.ndjson")
        try await TestDatabase.create(poolSize: 6).using { stale in
            try await TestDatabase.create(poolSize: 6).using { whole in
                for db in [stale, whole] { _ = try await IngestCommand.ingest([(base, nil)], pool: db.pool) }
                _ = try await MetricJobs.fullRefresh(Self.context(stale, day))
                let next = day + 1
                // The states of the next day only, as a run stopped before its officer rows leaves them.
                _ = try await MetricJobs.refreshLoans(Self.context(stale, next, wholePassShare: 1.01), changedOnly: true)
                let first = try await MetricJobs.fullRefresh(Self.context(stale, next, wholePassShare: 1.01))
                #expect(first.processed == 0, "every state already held at \(next)")
                let reference = Self.context(whole, next)
                _ = try await MetricJobs.refreshLoans(reference, changedOnly: false)
                _ = try await MetricJobs.officerMetrics(reference)
                _ = try await MetricJobs.branchMetrics(reference)
                let expected = try await Self.published(whole.pool, date: next).filter { !$0.hasPrefix("transition ") }
                let afterFirst = try await Self.published(stale.pool, date: next).filter { !$0.hasPrefix("transition ") }
                #expect(LiveUpdatePropertyTests.differences(afterFirst, expected).isEmpty,
                        "\(LiveUpdatePropertyTests.differences(afterFirst, expected).prefix(6))")
                _ = try await MetricJobs.fullRefresh(Self.context(stale, next, wholePassShare: 1.01))
                #expect(try await Self.published(stale.pool, date: next).filter { !$0.hasPrefix("transition ") } == afterFirst)
            }
        }
    }
}

