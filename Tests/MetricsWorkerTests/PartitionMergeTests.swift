import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import Testing

/// The merge of a partitioned date's officer sums (`MetricJobs.mergePartitions`) against what
/// happens to the date afterwards: the daemon's incremental updates, a partition run again alone,
/// a backfill (an earlier date than the loan states').
@Suite("Partitions: the merge of their officer sums")
struct PartitionMergeTests {
    static func context(_ db: TestDatabase, _ date: CalendarDate, _ partition: Partition) -> JobContext {
        JobContext(pool: db.pool, runner: JobRunner(pool: db.pool, redis: nil, logger: .init(label: "test")), asOf: date, partition: partition)
    }

    @Test("after the daemon applied changes to a partitioned date, one partition run again alone keeps them: every row equals a full refresh from scratch")
    func lonePartitionKeepsDaemonUpdates() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 31, asOf: date)
        var files = [try LiveBook.write(book.base(officers: 8, loans: 80), name: "base.ndjson")]
        try await TestDatabase.with(poolSize: 6) { db in
            _ = try await IngestCommand.ingest([(files[0], nil)], pool: db.pool)
            for k in 0..<2 { _ = try await MetricJobs.fullRefresh(Self.context(db, date, Partition(index: k, count: 2))) }
            #expect(try await LiveUpdate.applyPending(Self.context(db, date, .all)).kind == .applied)
            for round in 1...2 {
                let file = try LiveBook.write(book.changes(12), name: "change-\(round).ndjson")
                files.append(file)
                _ = try await IngestCommand.ingest([(file, nil)], pool: db.pool)
                #expect(try await LiveUpdate.applyPending(Self.context(db, date, .all)).kind == .applied)
            }
            // An operator (or a retried pod) runs one partition's officer metrics again: the
            // merge must not bring back the other partition's sums from before the changes.
            _ = try await MetricJobs.officerMetrics(Self.context(db, date, Partition(index: 0, count: 2)))
            _ = try await MetricJobs.branchMetrics(Self.context(db, date, .all))
            let problems = LiveUpdatePropertyTests.differences(try await LiveUpdatePropertyTests.snapshot(db.pool, date: date),
                                                               try await LiveUpdatePropertyTests.fromScratch(files, date: date))
            #expect(problems.isEmpty, "\(problems.count) differences: \(problems.prefix(6))")
        }
    }

    /// Without a daemon the loan states stay as the last refresh left them while new input
    /// arrives (its marks wait in live_changes): the partitions' own sums, read from the loans now,
    /// are what the merge must add, as an unpartitioned run reads the loans now.
    @Test("partitioned officer metrics after an ingest that no daemon applied equal the unpartitioned job's rows, not the stale loan states'")
    func pendingChangesMergeThePartitionsOwnSums() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 37, asOf: date)
        let base = try LiveBook.write(book.base(officers: 8, loans: 80), name: "base.ndjson")
        try await TestDatabase.with(poolSize: 6) { db in
            _ = try await IngestCommand.ingest([(base, nil)], pool: db.pool)
            for k in 0..<2 { _ = try await MetricJobs.fullRefresh(Self.context(db, date, Partition(index: k, count: 2))) }
            #expect(try await LiveUpdate.applyPending(Self.context(db, date, .all)).kind == .applied)
            let change = try LiveBook.write(book.changes(12), name: "change.ndjson")
            _ = try await IngestCommand.ingest([(change, nil)], pool: db.pool)
            #expect(try await db.count("SELECT count(*)::int AS n FROM live_changes") > 0)
            func officerRows() async throws -> [String] {
                try await LiveUpdatePropertyTests.snapshot(db.pool, date: date).filter { $0.hasPrefix("officer ") }
            }
            for k in 0..<2 { _ = try await MetricJobs.officerMetrics(Self.context(db, date, Partition(index: k, count: 2))) }
            let partitioned = try await officerRows()
            _ = try await MetricJobs.officerMetrics(Self.context(db, date, .all))
            let whole = try await officerRows()
            #expect(!whole.isEmpty)
            #expect(LiveUpdatePropertyTests.differences(partitioned, whole).isEmpty,
                    "\(LiveUpdatePropertyTests.differences(partitioned, whole).prefix(4))")
        }
    }

    @Test("archive-old-data deletes the partitions' partial sums older than its cutoff and keeps the newer ones")
    func archiveDeletesOldPartialSums() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            for date in [FixtureDatabase.dates[0], FixtureDatabase.dates[2]] {
                for k in 0..<2 {
                    _ = try await MetricJobs.officerMetrics(try FixtureJobsTests.context(db, date: date, partition: Partition(index: k, count: 2)))
                }
            }
            let kept = try await db.count("SELECT count(*)::int AS n FROM officer_partial_sums WHERE calculation_date = '2024-11-01'")
            #expect(kept > 0)
            #expect(try await db.count("SELECT count(*)::int AS n FROM officer_partial_sums WHERE calculation_date = '2024-10-10'") > 0)
            // D = 2024-11-20, keeping 30 days: the cutoff is 2024-10-21.
            _ = try await MetricJobs.archive(try FixtureJobsTests.context(db, date: "2024-11-20"), keepDays: 30)
            #expect(try await db.count("SELECT count(*)::int AS n FROM officer_partial_sums WHERE calculation_date = '2024-10-10'") == 0)
            #expect(try await db.count("SELECT count(*)::int AS n FROM officer_partial_sums WHERE calculation_date = '2024-11-01'") == kept)
        }
    }

    @Test("a partitioned backfill (a date before the loan states') sums the partitions' own sums: the officer and branch rows are the expected ones, the states untouched")
    func partitionedBackfill() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(FixtureJobsTests.inputPath, nil)], pool: db.pool)
            let latest = try #require(FixtureDatabase.dates.last), earlier = FixtureDatabase.dates[0]
            _ = try await MetricJobs.fullRefresh(try FixtureJobsTests.context(db, date: latest))
            let states = "SELECT loan_id, state_hash, computed_as_of::text AS d FROM loan_states ORDER BY loan_id"
            func stored() async throws -> [String] {
                try await db.pool.query(states).map { "\(try $0.decode(String.self, "loan_id")) \(try $0.decode(Int64?.self, "state_hash") ?? 0) \(try $0.decode(String?.self, "d") ?? "-")" }
            }
            let before = try await stored()
            for k in 0..<3 {
                _ = try await MetricJobs.fullRefresh(try FixtureJobsTests.context(db, date: earlier, partition: Partition(index: k, count: 3)))
            }
            let problems = try await ExpectedFixture.differences(date: earlier, pool: db.pool, checkLoans: false)
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
            #expect(try await stored() == before)
            let earlierDate = try #require(CalendarDate(iso: earlier))
            #expect(try await db.count("SELECT count(*)::int AS n FROM officer_partial_sums WHERE calculation_date = $1",
                                       [earlierDate]) > 0)
        }
    }
}
