import AnalyticsCore
import Foundation

/// Writes validated chunks. Each chunk is one transaction: either all of it is written or none.
public struct IngestWriter: Sendable {
    /// Counts of what was written, per kind.
    public struct Counts: Sendable {
        /// Rows inserted.
        public var inserted: [RecordKind: Int] = [:]
        /// Rows that existed and changed.
        public var updated: [RecordKind: Int] = [:]
        /// Records identical to their stored row (nothing written).
        public var unchanged: [RecordKind: Int] = [:]
        /// Officers and customers created from the names on a loan (INGEST.md).
        public var placeholders = 0
        /// Rejects stored in `etl_rejects`.
        public var rejected = 0
        /// Loans marked for the next refresh by their repayments.
        public var touchedLoans = 0

        /// No counts.
        public init() {}

        /// Adds another chunk's counts.
        public mutating func merge(_ other: Counts) {
            inserted.merge(other.inserted, uniquingKeysWith: +)
            updated.merge(other.updated, uniquingKeysWith: +)
            unchanged.merge(other.unchanged, uniquingKeysWith: +)
            placeholders += other.placeholders
            rejected += other.rejected
            touchedLoans += other.touchedLoans
        }
    }

    let connection: PostgresConnection
    let source: String

    /// The staging tables of every kind and of the rejects: session-local, emptied at each commit.
    static let stagingTables = ([UpsertSpec.officers, .customers, .teamMembers, .loans, .repayments, .schedule].map(\.createStage) + ["""
        CREATE TEMP TABLE IF NOT EXISTS stage_etl_rejects (
            source TEXT, location TEXT, record_index INTEGER, entity_type VARCHAR(20), entity_id VARCHAR(255), reasons JSONB,
            payload TEXT
        ) ON COMMIT DELETE ROWS
        """]).joined(separator: ";\n")

    /// Creates the session's staging tables, once per connection: one round trip on a connection's
    /// first ingest, none after (a small `POST /api/v1/ingest` would otherwise pay seven statements).
    func prepare() async throws {
        try await connection.prepareSession("ingest-staging-tables", Self.stagingTables)
    }

    /// Writes one chunk in one transaction and returns what it did. `inTransaction` runs last in
    /// that transaction (a caller's progress, committed with the rows it covers).
    func write(_ chunk: IngestChunk, inTransaction: (@Sendable (PostgresConnection) async throws -> Void)? = nil) async throws -> Counts {
        try await connection.withTransaction { tx in
            var counts = Counts()
            try await upsert(.officers, .officer, chunk.officers.map(IngestRows.officer), tx, &counts)
            try await upsert(.customers, .customer, chunk.customers.map(IngestRows.customer), tx, &counts)
            try await upsert(.teamMembers, .teamMember, chunk.teamMembers.map(IngestRows.teamMember), tx, &counts)
            if !chunk.loans.isEmpty {
                counts.placeholders += try await placeholders(for: chunk.loans, tx)
                let written = try await upsert(.loans, .loan, chunk.loans.map(IngestRows.loan), tx, &counts)
                try await replaceSchedules(of: written, from: chunk.loans, tx)
            }
            if !chunk.repayments.isEmpty {
                counts.touchedLoans += try await writeRepayments(chunk.repayments, tx, &counts)
            }
            counts.rejected = try await writeRejects(chunk.rejects, tx)
            try await inTransaction?(tx)
            return counts
        }
    }

    @discardableResult
    private func upsert(_ spec: UpsertSpec, _ kind: RecordKind, _ rows: [PostgresBindings],
                        _ tx: PostgresConnection, _ counts: inout Counts) async throws -> [String] {
        guard !rows.isEmpty else { return [] }
        try await tx.copyIn(spec.copyIntoStage) { writer in
            for row in rows {
                writer.append(row: row)
                try await writer.flushIfNeeded()
            }
        }
        let written = try await tx.query(spec.upsert)
        var keys: [String] = []
        keys.reserveCapacity(written.count)
        var inserted = 0
        for row in written {
            keys.append(try row.decode(String.self, "key"))
            if try row.decode(Bool.self, "inserted") { inserted += 1 }
        }
        counts.inserted[kind, default: 0] += inserted
        counts.updated[kind, default: 0] += written.count - inserted
        counts.unchanged[kind, default: 0] += rows.count - written.count
        // Emptied here rather than at commit: the same stage may be loaded again in this transaction.
        try await tx.execute("TRUNCATE \(spec.stage)")
        return keys
    }

    /// Creates minimal officer and customer rows for loans that name unknown ones (INGEST.md).
    private func placeholders(for loans: [Loan], _ tx: PostgresConnection) async throws -> Int {
        var officers: [String: Officer] = [:]
        var customers: [String: Customer] = [:]
        for loan in loans {
            officers[loan.officerId] = officers[loan.officerId] ?? Officer(placeholderFor: loan)
            customers[loan.customerId] = customers[loan.customerId] ?? Customer(placeholderFor: loan)
        }
        var created = 0
        for (spec, rows) in [(UpsertSpec.officers, officers.values.map(IngestRows.officer)),
                             (UpsertSpec.customers, customers.values.map(IngestRows.customer))] {
            try await tx.copyIn(spec.copyIntoStage) { writer in
                for row in rows { try await writer.write(row: row) }
            }
            let list = spec.columns.joined(separator: ", ")
            created += try await tx.execute("""
                INSERT INTO \(spec.table) (\(list)) SELECT \(list) FROM \(spec.stage) ON CONFLICT (\(spec.key)) DO NOTHING
                """)
            try await tx.execute("TRUNCATE \(spec.stage)")
        }
        return created
    }

    /// Replaces the stored given schedule of every loan that was inserted or changed.
    private func replaceSchedules(of written: [String], from loans: [Loan], _ tx: PostgresConnection) async throws {
        guard !written.isEmpty else { return }
        let changed = Set(written)
        let withSchedules = loans.filter { changed.contains($0.loanId) && !($0.schedule ?? []).isEmpty }
        try await tx.execute("DELETE FROM loan_schedule WHERE loan_id = ANY($1)", [written])
        guard !withSchedules.isEmpty else { return }
        let spec = UpsertSpec.schedule
        try await tx.copyIn("COPY loan_schedule (\(spec.columns.joined(separator: ", "))) FROM STDIN (FORMAT binary)") { writer in
            writer.appendRaw(PostgresBinaryCopy.header)
            for loan in withSchedules {
                writer.appendBinary { IngestRows.encodeSchedule(loan, into: &$0) }
                try await writer.flushIfNeeded()
            }
            writer.appendRaw(PostgresBinaryCopy.trailer)
        }
    }

    /// Upserts repayments and marks their loans for the next refresh, in one statement that
    /// returns only counts. (A repayment moved to another loan marks the old loan through the
    /// trigger `trg_repayments_moved`.)
    private func writeRepayments(_ repayments: [Repayment], _ tx: PostgresConnection, _ counts: inout Counts) async throws -> Int {
        let spec = UpsertSpec.repayments
        try await tx.copyIn(spec.copyIntoStage + " (FORMAT binary)") { writer in
            writer.appendRaw(PostgresBinaryCopy.header)
            for repayment in repayments {
                writer.appendBinary { IngestRows.encodeRepayment(repayment, into: &$0) }
                try await writer.flushIfNeeded()
            }
            writer.appendRaw(PostgresBinaryCopy.trailer)
        }
        // The loans' versions live in the narrow `loan_sources` (migration 0015), whose update
        // trigger marks them for the daemon. Loans inserted or changed earlier in this
        // transaction already carry now().
        let result = try await tx.query("""
            WITH written AS (\(spec.upsertReturning("t.loan_id, (xmax = 0) AS inserted"))),
            touched AS (
                UPDATE loan_sources v SET source_changed_at = now()
                WHERE v.loan_id IN (SELECT loan_id FROM written) AND v.source_changed_at <> now()
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM written WHERE inserted) AS inserted,
                   (SELECT count(*) FROM touched) AS touched
            """)[0]
        let written = try result.decode(Int.self, "written")
        let inserted = try result.decode(Int.self, "inserted")
        counts.inserted[.repayment, default: 0] += inserted
        counts.updated[.repayment, default: 0] += written - inserted
        counts.unchanged[.repayment, default: 0] += repayments.count - written
        // No TRUNCATE: this stage is loaded once per transaction and emptied at its commit.
        return try result.decode(Int.self, "touched")
    }

    private func writeRejects(_ rejects: [IngestReject], _ tx: PostgresConnection) async throws -> Int {
        guard !rejects.isEmpty else { return 0 }
        let source = self.source
        // Staged (the table `prepare` made), then upserted: the same record of the same source
        // rejected again (a file loaded twice) updates its row instead of adding one (migration 0007).
        // The same place and payload twice in one chunk (a batch of events naming one loan twice)
        // is one row, the last one: one statement cannot update a row twice. Rows are inserted in
        // input order (`record_index`), so reject ids follow the input.
        let columns = "source, location, record_index, entity_type, entity_id, reasons, payload"
        try await tx.copyIn("COPY stage_etl_rejects (\(columns)) FROM STDIN") { writer in
            for reject in rejects {
                try await writer.write(row: [source, reject.location, reject.index, reject.kind?.rawValue,
                                             reject.entityID, reject.reasonsJSON,
                                             IngestRows.storable(reject.payload)])
            }
        }
        try await tx.execute("""
            INSERT INTO etl_rejects (\(columns))
            SELECT \(columns) FROM (
                SELECT DISTINCT ON (source, location, md5(payload)) \(columns) FROM stage_etl_rejects
                ORDER BY source, location, md5(payload), record_index DESC NULLS LAST
            ) AS last_of_each ORDER BY record_index
            ON CONFLICT (source, location, md5(payload)) DO UPDATE
            SET record_index = EXCLUDED.record_index, entity_type = EXCLUDED.entity_type, entity_id = EXCLUDED.entity_id,
                reasons = EXCLUDED.reasons, received_at = now()
            """)
        // No TRUNCATE: loaded once per transaction and emptied at its commit.
        return rejects.count
    }
}
