import AnalyticsCore
import AnalyticsStore

/// What every metric job of one run knows: the pool, the runner, the as-of date and the partition.
struct JobContext: Sendable {
    let pool: PostgresPool
    let runner: JobRunner
    let asOf: CalendarDate
    let partition: Partition
    var options = MetricsOptions()
    /// The share of the book's loans from which a whole-book refresh reads every loan instead of
    /// only those whose stored state no longer holds (`MetricJobs.selectStale`).
    var wholePassShare = LoanStateWriter.replaceFraction

    /// Current officer records (all, or those among `ids`), in any order.
    func officers(on connection: PostgresConnection, only ids: [String]? = nil) async throws -> [Officer] {
        let columns = "SELECT officer_id, officer_name, region, branch, employment_status, primary_channel, has_float_gap FROM officers"
        let rows: PostgresRows
        if let ids {
            rows = try await connection.query(columns + " WHERE officer_id = ANY($1)", [ids])
        } else {
            rows = try await connection.query(columns)
        }
        return try rows.map {
            Officer(officerId: try $0.decode(String.self, "officer_id"), officerName: try $0.decode(String.self, "officer_name"),
                    region: try $0.decode(String.self, "region"), branch: try $0.decode(String.self, "branch"),
                    employmentStatus: try $0.decode(String.self, "employment_status"),
                    primaryChannel: try $0.decode(String?.self, "primary_channel"),
                    hasFloatGap: try $0.decode(Bool.self, "has_float_gap"))
        }
    }

    /// `par15_snapshots` exposure per officer at `date` (METRICS 4 `par15_mid_month`).
    func par15Snapshots(at date: CalendarDate, on connection: PostgresConnection) async throws -> [String: Money] {
        var result: [String: Money] = [:]
        for row in try await connection.query("SELECT officer_id, par15_exposure FROM par15_snapshots WHERE snapshot_date = $1", [date]) {
            result[try row.decode(String.self, "officer_id")] = try row.decode(Money.self, "par15_exposure")
        }
        return result
    }

    /// Fills the session's `job_loans` with the loans `query` returns (a SQL query returning
    /// `loan_id`s, with D as `$1`), for a pass with `selected: true`; returns how many.
    /// A partition keeps its own loans only.
    func select(_ query: String, on connection: PostgresConnection) async throws -> Int {
        var selection = query
        if !partition.isWhole {
            try await LoanStream.selectPartition(partition, on: connection)
            selection = "SELECT q.loan_id FROM (\(query)) q WHERE " + LoanStream.inPartition("q")
        }
        return try await LoanStream.selectLoans([(selection, [asOf])], on: connection)
    }

    /// Streams the loans of this run's partition (only those `select` chose when `selected`)
    /// through a `BookConsumer`. A partition's officer sums are partial: each holds only the
    /// officer's loans of the partition (`OfficerPartialSums`).
    func pass(on connection: PostgresConnection, loanStates: Bool, officerSums: Bool, exposure: Bool,
              officers: [Officer], selected: Bool = false) async throws -> BookConsumer {
        try await LoanStream.selectPartition(partition, on: connection)
        let consumer = self.consumer(loanStates: loanStates, officerSums: officerSums, exposure: exposure, officers: officers)
        if selected {
            return try await LoanStream.run(on: connection, filter: .loans(partitioned: !partition.isWhole), consumer)
        }
        return try await LoanStream.run(on: connection, filter: partition.isWhole ? .all : .partition, share: partition.count, consumer)
    }

    /// Streams the loans `loanIDs` and every loan of the officers `officerIDs` (the daemon's batch:
    /// a small part of the book) through a `BookConsumer` keeping their states and contributions.
    func pass(on connection: PostgresConnection, loans loanIDs: [String], ofOfficers officerIDs: [String],
              officers: [Officer]) async throws -> BookConsumer {
        try await LoanStream.selectLoans(loanIDs, ofOfficers: officerIDs, on: connection)
        let consumer = self.consumer(loanStates: true, officerSums: false, exposure: false, officers: officers)
        // A few loans: index lookups, never a scan of the whole book (the planner would otherwise
        // hash-join a few thousand loans' installments against the whole table: 1.5 s at a
        // million loans against 0.2 s). Local to this transaction.
        return try await connection.withTransaction { tx in
            try await tx.execute("SET LOCAL enable_hashjoin = off")
            try await tx.execute("SET LOCAL enable_mergejoin = off")
            return try await LoanStream.run(on: tx, filter: .loans(partitioned: false), consumer)
        }
    }

    /// A consumer of D's ledgers keeping what is asked for, with the officers' primary channels.
    private func consumer(loanStates: Bool, officerSums: Bool, exposure: Bool, officers: [Officer]) -> BookConsumer {
        var records: [String: Officer] = [:]
        for officer in officers { records[officer.officerId] = officer }
        return BookConsumer(window: MetricsWindow(asOf: asOf), loanStates: loanStates, officerSums: officerSums,
                            exposure: exposure, officers: records)
    }

    /// The officer rows of D from the sums of every loan of the officers (the daemon: the touched
    /// officers'; a whole run or the merge of the partitions: all).
    func officerRows(from sums: PortfolioAccumulator, officers: [Officer], on connection: PostgresConnection) async throws -> [OfficerMetricsRow] {
        let window = MetricsWindow(asOf: asOf)
        let overrides = try await par15Snapshots(at: window.midMonthDate, on: connection)
        return sums.finalise(officers: officers, window: window, par15Overrides: overrides, options: options)
    }
}
