import AnalyticsCore
import AnalyticsStore

/// The officer sums of one partition of a date (`officer_partial_sums`, schema 17): with
/// `--partition K/N` a run reads 1/N of the loans, so it holds a part of every officer's sums
/// (`OfficerAccumulator`s over disjoint sets of loans). The run that finds every partition of the
/// date completed adds them up, in the database (integer addition, exact, like
/// `OfficerAccumulator.merge`), into the sums an unpartitioned run would have: `FixtureJobsTests`
/// checks the rows for N = 1, 2, 3, 4 and 8. (When the loan states are the date's and complete,
/// the merge sums their stored contributions instead: `MetricJobs.mergePartitions`.)
enum OfficerPartialSums {
    /// The job a partition's sums are recorded under in `metric_calculation_log` (`officer_metrics`
    /// is the merged, whole date: the API serves a date once it is complete).
    static let job = "officer_partials"

    /// Replaces `partition`'s sums of `date` with `sums` and completes `run`, in one transaction.
    static func write(_ sums: PortfolioAccumulator, date: CalendarDate, partition: Partition, run: JobRunner.Run?,
                      on connection: PostgresConnection) async throws -> JobCounts {
        let ids = ByteOrder.sorted(sums.byOfficer.keys)
        let officers = ids.map { sums.byOfficer[$0] ?? OfficerAccumulator() }
        var bindings: PostgresBindings = [date, partition.description, ids]
        for count in LoanContribution.counts { bindings.append(officers.map { $0[keyPath: count.field] }) }
        for amount in LoanContribution.amounts { bindings.append(officers.map { $0[keyPath: amount.field].minorUnits }) }
        let columns = LoanContribution.columns
        let arrays = (0..<columns.count).map { "$\($0 + 4)::bigint[]" }.joined(separator: ", ")
        return try await connection.withTransaction { tx in
            try await tx.execute("DELETE FROM officer_partial_sums WHERE calculation_date = $1 AND partition_key = $2",
                                 [date, partition.description])
            try await tx.execute("""
                INSERT INTO officer_partial_sums (calculation_date, partition_key, officer_id, \(columns.joined(separator: ", ")))
                SELECT $1, $2, p.* FROM unnest($3::text[], \(arrays)) AS p
                """, bindings)
            let counts = JobCounts(processed: ids.count, updated: ids.count, failed: 0)
            try await run?.complete(counts, in: tx)
            return counts
        }
    }

    /// True when the latest run of every partition of `partition`'s N for `date` has completed.
    static func complete(_ partition: Partition, date: CalendarDate, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query("""
            SELECT count(*) = $3 AS complete FROM (
                SELECT DISTINCT ON (partition_key) partition_key, status FROM metric_calculation_log
                WHERE calculation_type = $1 AND calculation_date = $2 AND partition_key = ANY($4)
                ORDER BY partition_key, log_id DESC
            ) latest WHERE status = 'Completed'
            """, [job, date, partition.count, partition.siblings.map(\.description)])[0].decode(Bool.self, "complete")
    }

    /// The sums of every officer of `date` over the partitions of `partition`'s N.
    static func total(_ partition: Partition, date: CalendarDate, on connection: PostgresConnection) async throws -> PortfolioAccumulator {
        try await LoanContribution.sums(from: "officer_partial_sums WHERE calculation_date = $1 AND partition_key = ANY($2)",
                                        [date, partition.siblings.map(\.description)], on: connection)
    }
}
