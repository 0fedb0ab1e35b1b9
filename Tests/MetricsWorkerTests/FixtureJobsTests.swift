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

    /// N = 8 is more partitions than the fixture has officers (7): one at least is empty.
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
            // Every officer landed in exactly one partition.
            let officers = try await db.pool.query("SELECT officer_id FROM officers").map { try $0.decode(String.self, "officer_id") }
            #expect(officers.count == 7)
            for officer in officers {
                #expect((0..<count).filter { Partition(index: $0, count: count).contains(officerID: officer) }.count == 1)
            }
            // Each partition, an empty one too, completed its run of each date.
            let completed = try await db.count("""
                SELECT count(DISTINCT (calculation_date, partition_key))::int AS n FROM metric_calculation_log
                WHERE calculation_type = 'full_refresh' AND status = 'Completed'
                """)
            #expect(completed == count * FixtureDatabase.dates.count)
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
