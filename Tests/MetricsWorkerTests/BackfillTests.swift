import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// A backfill keeps the loan states of the latest date (issue 12, defect 3): a run for an earlier
/// date writes that date's officer, branch and snapshot rows only, and `--changed-only` for a date
/// other than the states' refreshes every loan.
@Suite("Backfills keep the loan states of the latest date")
struct BackfillTests {
    static let latest = "2024-11-01"
    static let earlier = "2024-10-10"

    static func context(_ db: TestDatabase, _ date: String) throws -> JobContext {
        try FixtureJobsTests.context(db, date: date)
    }

    static func statesDates(_ db: TestDatabase) async throws -> [String] {
        try await db.pool.query("SELECT DISTINCT computed_as_of::text AS d FROM loan_states WHERE computed_as_of IS NOT NULL ORDER BY 1")
            .map { try $0.decode(String.self, "d") }
    }

    @Test("full-refresh of an earlier date after the latest: its officer and branch rows, the states untouched; --changed-only then still exact")
    func backfillLeavesStates() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(try Self.context(db, Self.latest))
            _ = try await MetricJobs.fullRefresh(try Self.context(db, Self.earlier))
            #expect(try await Self.statesDates(db) == [Self.latest])
            // The backfilled date's officer and branch rows are those of the fixture.
            var problems = try await ExpectedFixture.differences(date: Self.earlier, pool: db.pool, checkLoans: false)
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
            // The scheduled changed-only refresh of the latest date: nothing changed, states still exact.
            _ = try await MetricJobs.refreshLoans(try Self.context(db, Self.latest), changedOnly: true)
            problems = try await ExpectedFixture.differences(date: Self.latest, pool: db.pool)
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
            // refresh-loans alone for the earlier date is skipped (exit 75), naming both dates.
            let skipped = await #expect(throws: JobSkipped.self) {
                try await MetricJobs.refreshLoans(try Self.context(db, Self.earlier), changedOnly: false)
            }
            #expect(skipped?.message.contains(Self.latest) == true)
            #expect(skipped?.message.contains(Self.earlier) == true)
            #expect(try await Self.statesDates(db) == [Self.latest])
        }
    }

    @Test("--changed-only for a later date than the states' refreshes every loan (ageing), exactly")
    func changedOnlyOnANewDateRefreshesAll() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(try Self.context(db, "2024-10-17"))
            let counts = try await MetricJobs.refreshLoans(try Self.context(db, Self.latest), changedOnly: true)
            let loans = try await db.pool.query("SELECT count(*)::int AS n FROM loan_accounts")[0].decode(Int.self, "n")
            #expect(counts.processed == loans)
            #expect(try await Self.statesDates(db) == [Self.latest])
            // (The officer and branch rows of the date, which the comparison includes.)
            _ = try await MetricJobs.officerMetrics(try Self.context(db, Self.latest))
            _ = try await MetricJobs.branchMetrics(try Self.context(db, Self.latest))
            let problems = try await ExpectedFixture.differences(date: Self.latest, pool: db.pool)
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        }
    }

    @Test("the states' date survives archive-old-data: the drilldowns keep it, a backfill still leaves the states alone")
    func archivedLogKeepsStatesDate() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(try Self.context(db, Self.latest))
            // Two years later, with the default 400 days kept: the refresh's log rows are archived.
            _ = try await MetricJobs.archive(try Self.context(db, "2026-12-01"), keepDays: 400)
            let logged = try await db.pool.query("SELECT count(*)::int AS n FROM metric_calculation_log WHERE calculation_type = 'refresh_loans'")
            #expect(try logged[0].decode(Int.self, "n") == 0)
            #expect(try await MetricJobs.statesDate(try Self.context(db, Self.latest)) == CalendarDate(iso: Self.latest))
            _ = try await MetricJobs.fullRefresh(try Self.context(db, Self.earlier))
            #expect(try await Self.statesDates(db) == [Self.latest])
            let problems = try await ExpectedFixture.differences(date: Self.latest, pool: db.pool, checkLoans: true)
                .filter { $0.hasPrefix("loan ") }
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        }
    }

    @Test("one partition of a new date refreshed: --changed-only of that date ages every loan of the other partition whose state no longer holds, exactly")
    func partitionedNewDateThenChangedOnly() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(try Self.context(db, "2024-10-17"))
            _ = try await MetricJobs.refreshLoans(try FixtureJobsTests.context(db, date: Self.latest, partition: Partition(index: 0, count: 2)),
                                                  changedOnly: false)
            let date = try #require(CalendarDate(iso: Self.latest))
            let stale = try await db.pool.query("SELECT s.loan_id FROM (\(MetricJobs.staleLoansQuery)) s", [date])
                .map { try $0.decode(String.self, "loan_id") }
            // All of partition 1 (its states are of 2024-10-17, fifteen days earlier), none of 0.
            let partitionOne = try await db.pool.query("""
                SELECT a.loan_id FROM loan_accounts a WHERE (hashtextextended(a.loan_id, 0) & 9223372036854775807) % 2 = 1
                """).map { try $0.decode(String.self, "loan_id") }
            #expect(Set(stale).isSubset(of: Set(partitionOne)) && !stale.isEmpty)
            // Half the book is stale: by default a pass over every loan; here the stale ones alone.
            var context = try Self.context(db, Self.latest)
            context.wholePassShare = 1.01
            let counts = try await MetricJobs.refreshLoans(context, changedOnly: true)
            #expect(counts.processed == stale.count)
            let problems = try await ExpectedFixture.differences(date: Self.latest, pool: db.pool).filter { $0.hasPrefix("loan ") }
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        }
    }

    @Test("a partition's selection of stale loans is exactly the whole book's stale loans of that partition")
    func partitionSelectsItsOwnStaleLoans() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(try Self.context(db, "2024-10-17"))
            let date = try #require(CalendarDate(iso: Self.latest))
            let stale = Set(try await db.pool.query("SELECT s.loan_id FROM (\(MetricJobs.staleLoansQuery)) s", [date])
                .map { try $0.decode(String.self, "loan_id") })
            #expect(stale.count > 10)
            for count in [2, 3] {
                var union: Set<String> = []
                for index in 0..<count {
                    let context = try FixtureJobsTests.context(db, date: Self.latest, partition: Partition(index: index, count: count))
                    let (selected, own) = try await db.pool.withConnection { connection in
                        let selected = try await context.select(MetricJobs.staleLoansQuery, on: connection)
                        let own = try await connection.query("""
                            SELECT j.loan_id FROM job_loans j
                            WHERE (hashtextextended(j.loan_id, 0) & 9223372036854775807) % $1 = $2
                            """, [count, index]).map { try $0.decode(String.self, "loan_id") }
                        return (selected, own)
                    }
                    // Every selected loan is of the partition, and no stale loan of it is missed.
                    #expect(selected == own.count, "\(index)/\(count)")
                    union.formUnion(own)
                }
                #expect(union == stale, "N = \(count)")
            }
        }
    }

    @Test("refresh-loans and full-refresh refuse a date after tomorrow (exit 64): the states would stay there")
    func futureDateRefused() async throws {
        try await TestDatabase.with { db in
            for command in ["refresh-loans", "full-refresh"] {
                let run = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), [command, "--as-of", "2999-01-01"],
                                                      environment: ["DATABASE_URL": db.configuration.url, "LOG_LEVEL": "warning"])
                #expect(run.status == 64, "\(command): \(run.output)")
                #expect(run.output.contains("in the future"), "\(run.output)")
            }
        }
    }
}
