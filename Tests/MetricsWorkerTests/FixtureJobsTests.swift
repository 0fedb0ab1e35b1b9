import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import Testing

@Suite("Metric jobs reproduce shared/fixtures/small")
struct FixtureJobsTests {
    static var inputPath: String { FixtureDatabase.fixturesDirectory.appendingPathComponent("small/input.json").path }

    static func context(_ db: TestDatabase, date: String, partition: Partition = .all) throws -> JobContext {
        let runner = JobRunner(pool: db.pool, redis: nil, logger: .init(label: "test"))
        return JobContext(pool: db.pool, runner: runner, asOf: try #require(CalendarDate(iso: date)), partition: partition)
    }

    @Test("ingest then full-refresh at each as-of date: loans, officer and branch rows equal the expected files")
    func fullRefreshMatchesFixture() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            let summary = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            #expect(summary.rejected == 0)
            for date in FixtureDatabase.dates {
                _ = try await MetricJobs.fullRefresh(try Self.context(db, date: date))
                let problems = try await ExpectedFixture.differences(date: date, pool: db.pool)
                #expect(problems.isEmpty, "\(problems.count) differences, first: \(problems.prefix(10).joined(separator: "\n"))")
            }
        }
    }

    /// Partitions divide the loans (by a hash of `loan_id`), so each holds part of most officers'
    /// sums; the last one to complete adds them up.
    @Test("partitions 0/N ... N-1/N one after another give the rows of the unpartitioned run (the expected files), for N = 1, 2, 3, 4, 8",
          .serialized, arguments: [1, 2, 3, 4, 8])
    func partitionedRunsMatch(count: Int) async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            for date in FixtureDatabase.dates {
                for k in 0..<count {
                    _ = try await MetricJobs.fullRefresh(try Self.context(db, date: date, partition: Partition(index: k, count: count)))
                }
                // No branch run of its own: the last partition to finish writes the branch rows.
                let problems = try await ExpectedFixture.differences(date: date, pool: db.pool)
                #expect(problems.isEmpty, "\(problems.count) differences, first: \(problems.prefix(10).joined(separator: "\n"))")
            }
            // Every loan landed in exactly one partition (the streams' own condition, on each row's loan_id).
            let loans = try await db.pool.query("SELECT loan_id FROM loan_accounts").map { try $0.decode(String.self, "loan_id") }
            var seen: [String: Int] = [:]
            try await db.pool.withConnection { connection in
                for k in 0..<count {
                    try await LoanStream.selectPartition(Partition(index: k, count: count), on: connection)
                    let filter = count == 1 ? "" : " WHERE " + LoanStream.inPartition("a")
                    for row in try await connection.query("SELECT a.loan_id FROM loan_accounts a" + filter) {
                        seen[try row.decode(String.self, "loan_id"), default: 0] += 1
                    }
                }
            }
            #expect(loans.count >= 70)
            #expect(seen.count == loans.count && seen.values.allSatisfy { $0 == 1 })
            // The officers' rows were written once per date, by the merge of the partitions' sums.
            if count > 1 {
                let partials = try await db.count("""
                    SELECT count(DISTINCT (calculation_date, partition_key))::int AS n FROM officer_partial_sums
                    """)
                #expect(partials <= count * FixtureDatabase.dates.count && partials >= FixtureDatabase.dates.count)
                let merges = try await db.count("""
                    SELECT count(*)::int AS n FROM metric_calculation_log
                    WHERE calculation_type = 'officer_metrics' AND partition_key = '0/1' AND status = 'Completed'
                    """)
                #expect(merges == FixtureDatabase.dates.count)
            }
            // Each partition, an empty one too, completed its run of each date.
            let completed = try await db.count("""
                SELECT count(DISTINCT (calculation_date, partition_key))::int AS n FROM metric_calculation_log
                WHERE calculation_type = 'full_refresh' AND status = 'Completed'
                """)
            #expect(completed == count * FixtureDatabase.dates.count)
        }
    }

    /// Like N pods of an Indexed Job: a pool (and executor) per partition, all started together, so
    /// several finish at once and merge one after the other under the merge lock.
    @Test("four partitions run at the same time, each with its own pool, give the expected rows at every date")
    func concurrentPartitionsMatch() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            let count = 4
            let pods = (0..<count).map { _ in
                let executor = BlockingExecutor(threads: 8)
                return (executor, PostgresPool(configuration: db.configuration, maximumConnections: 5, acquireTimeout: .seconds(60),
                                               executor: executor, applicationName: "partition-pod"))
            }
            func stop() async throws {
                for (executor, pool) in pods {
                    pool.shutdown()
                    try await executor.shutdown()
                }
            }
            do {
                for date in FixtureDatabase.dates {
                    let asOf = try #require(CalendarDate(iso: date))
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (k, pod) in pods.enumerated() {
                            group.addTask {
                                let runner = JobRunner(pool: pod.1, redis: nil, logger: .init(label: "test"))
                                _ = try await MetricJobs.fullRefresh(JobContext(pool: pod.1, runner: runner, asOf: asOf,
                                                                                partition: Partition(index: k, count: count)))
                            }
                        }
                        try await group.waitForAll()
                    }
                    let problems = try await ExpectedFixture.differences(date: date, pool: db.pool)
                    #expect(problems.isEmpty, "\(date): \(problems.count) differences, first: \(problems.prefix(10).joined(separator: "\n"))")
                }
            } catch {
                try await stop()
                throw error
            }
            try await stop()
        }
    }

    @Test("a date partitioned again with another N (2, then 4) and a partition re-run alone: the rows stay the expected ones")
    func repartitionedDateMatches() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            let date = FixtureDatabase.dates[1]
            for count in [2, 4] {
                for k in 0..<count {
                    _ = try await MetricJobs.fullRefresh(try Self.context(db, date: date, partition: Partition(index: k, count: count)))
                }
                let problems = try await ExpectedFixture.differences(date: date, pool: db.pool)
                #expect(problems.isEmpty, "N = \(count): \(problems.prefix(10).joined(separator: "\n"))")
            }
            // The sums of 2/4 written again: the merge adds the latest sums of 0/4 ... 3/4 (not those of 0/2, 1/2).
            _ = try await MetricJobs.officerMetrics(try Self.context(db, date: date, partition: Partition(index: 2, count: 4)))
            let problems = try await ExpectedFixture.differences(date: date, pool: db.pool)
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
            let asOf = try #require(CalendarDate(iso: date))
            #expect(try await db.count("""
                SELECT count(*)::int AS n FROM metric_calculation_log
                WHERE calculation_type = 'officer_metrics' AND partition_key = '0/1' AND calculation_date = $1 AND status = 'Completed'
                """, [asOf]) == 3)
        }
    }

    @Test("capture-par15-snapshot with 3 partitions writes the snapshot of the unpartitioned job, once the last one completes")
    func partitionedSnapshotMatches() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            let date = FixtureDatabase.dates[2]
            let rows = "SELECT officer_id, par15_exposure::text AS e, par15_count FROM par15_snapshots ORDER BY officer_id"
            func snapshot() async throws -> [String] {
                try await db.pool.query(rows).map {
                    "\(try $0.decode(String.self, "officer_id")) \(try $0.decode(String.self, "e")) \(try $0.decode(Int.self, "par15_count"))"
                }
            }
            _ = try await MetricJobs.par15Snapshot(try Self.context(db, date: date))
            let whole = try await snapshot()
            #expect(whole.count >= 5 && whole.contains { !$0.hasSuffix(" 0") }, "\(whole)")
            _ = try await db.pool.query("DELETE FROM par15_snapshots")
            for k in 0..<3 {
                #expect(try await snapshot().isEmpty, "no snapshot before the last partition")
                _ = try await MetricJobs.par15Snapshot(try Self.context(db, date: date, partition: Partition(index: k, count: 3)))
            }
            #expect(try await snapshot() == whole)
        }
    }

    @Test("the separate jobs (refresh-loans, officer metrics, branch metrics) give the same rows as full-refresh")
    func separateJobsMatch() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            for date in FixtureDatabase.dates {
                let context = try Self.context(db, date: date)
                _ = try await MetricJobs.refreshLoans(context, changedOnly: false)
                _ = try await MetricJobs.officerMetrics(context)
                _ = try await MetricJobs.branchMetrics(context)
                let problems = try await ExpectedFixture.differences(date: date, pool: db.pool)
                #expect(problems.isEmpty, "\(problems.count) differences, first: \(problems.prefix(10).joined(separator: "\n"))")
            }
        }
    }

    @Test("branch metrics refuse while the officer metrics of D are incomplete")
    func branchRefusesIncomplete() async throws {
        try await TestDatabase.create(poolSize: 6).using { db in
            _ = try await IngestCommand.ingest([(Self.inputPath, nil)], pool: db.pool)
            let date = "2024-10-17"
            await #expect(throws: JobSkipped.self) { try await MetricJobs.branchMetrics(try Self.context(db, date: date)) }
            _ = try await MetricJobs.officerMetrics(try Self.context(db, date: date, partition: Partition(index: 0, count: 2)))
            let skipped = await #expect(throws: JobSkipped.self) { try await MetricJobs.branchMetrics(try Self.context(db, date: date)) }
            #expect(skipped?.message.contains("incomplete") == true)
            _ = try await MetricJobs.officerMetrics(try Self.context(db, date: date, partition: Partition(index: 1, count: 2)))
            _ = try await MetricJobs.branchMetrics(try Self.context(db, date: date))
            let problems = try await ExpectedFixture.differences(date: date, pool: db.pool, checkLoans: false)
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        }
    }
}
