import AnalyticsCore
import AnalyticsStore
import FineractEvents
import Foundation

/// Applies a batch of Fineract messages in one transaction (docs/fineract-events.md "The
/// consumer"): reads each (``FineractEventReader``), maps its events with the pull's
/// ``FineractMapping`` in delivery order, each message over what the earlier ones of the batch
/// leave (``FineractEventPlan/context``), and writes all their records through the one ingest path
/// (`Ingestor.pipeline`: validation, `etl_rejects`, upserts, the marks the daemon follows) with, in
/// the same transaction, the messages' idempotency keys, the loans' snapshot ids and the
/// transactions' replay chains. One commit for the batch is what makes the consumer fast (group
/// commit); the result is the one of applying the messages one by one (a record given twice in a
/// chunk: the last one counts, as a later message overwrites an earlier one).
///
/// A message that cannot be read is parked in `etl_rejects` (bytes in base64, the reason). Throws
/// only when the database fails (the batch is then not acknowledged and comes again).
struct FineractEventHandler: Sendable {
    /// `etl_rejects.source` of the consumer.
    static let source = "fineract-events"
    /// How often a batch is planned again when another consumer committed one of its messages (or
    /// a newer snapshot of one of its loans) between the reads and the commit.
    static let attempts = 3

    let pool: PostgresPool
    let reader: FineractEventReader
    let offices: FineractOfficeCache
    let channel: FineractChannel

    /// Reads and applies the messages' bytes, in delivery order.
    func handle(_ batch: [[UInt8]]) async throws -> FineractEventOutcome {
        let read = batch.map { bytes in Result { () throws(FineractEventFailure) in try reader.read(bytes) } }
        return try await apply(read)
    }

    /// Reads and applies one message.
    func handle(_ bytes: [UInt8]) async throws -> FineractEventOutcome { try await handle([bytes]) }

    /// Applies messages already read, in order (each idempotency key once).
    func apply(_ messages: [FineractEventMessage]) async throws -> FineractEventOutcome {
        try await apply(messages.map { .success($0) })
    }

    /// Applies one message already read.
    func apply(_ message: FineractEventMessage) async throws -> FineractEventOutcome { try await apply([message]) }

    private func apply(_ read: [Result<FineractEventMessage, FineractEventFailure>]) async throws -> FineractEventOutcome {
        var attempt = 1
        while true {
            do {
                return try await attemptApply(read)
            } catch is FineractEventAlreadyApplied where attempt < Self.attempts {
                attempt += 1  // planned again, over what the other consumer committed
            }
        }
    }

    private func attemptApply(_ read: [Result<FineractEventMessage, FineractEventFailure>]) async throws -> FineractEventOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        var outcome = FineractEventOutcome()
        outcome.messages = read.count
        let keys = read.compactMap { try? $0.get().idempotencyKey }
        var applied = Set<String>()
        if !keys.isEmpty {
            for row in try await pool.query("SELECT idempotency_key FROM fineract_event_keys WHERE idempotency_key = ANY($1::text[])", [keys]) {
                applied.insert(try row.decode(String.self, "idempotency_key"))
            }
        }
        // The messages to plan: readable, not applied before, the first of their key in the batch.
        let isFresh = read.map { item in (try? item.get()).map { applied.insert($0.idempotencyKey).inserted } ?? false }
        let fresh = zip(read, isFresh).compactMap { item, isFresh in isFresh ? try? item.get() : nil }
        outcome.duplicates = keys.count - fresh.count
        var context = try await FineractEventContext.load(for: fresh, on: pool)
        var officeIDs = Set<Int64>()
        for case .success(let event) in fresh.lazy.flatMap(\.events) {
            if case .loan(let row, _) = event.content, let office = row.clientOfficeID { officeIDs.insert(office) }
        }
        let mapping = FineractMapping(offices: try await offices.current(naming: officeIDs), channel: channel)
        let contextRead = clock.now

        var entries: [IngestEntry] = []
        var written: [FineractEventMessage] = []
        var snapshots: [String: Int64] = [:]
        var chains: [Int64: FineractEventPlan.Chain] = [:]
        var loans: [String] = []
        for (item, isFresh) in zip(read, isFresh) {
            switch item {
            case .failure(let failure):
                outcome.parked += 1
                entries.append(FineractEventPlan.parked(failure, location: "message (unreadable)"))
            case .success(let message):
                guard isFresh else { continue }
                let plan = FineractEventPlan(message: message, context: context, mapping: mapping)
                context = plan.context
                outcome.ignored.merge(plan.ignored, uniquingKeysWith: +)
                outcome.parked += plan.parked
                guard !plan.entries.isEmpty || !plan.chains.isEmpty else { continue }
                written.append(message)
                entries += plan.entries
                snapshots.merge(plan.snapshots) { _, later in later }
                for chain in plan.chains { chains[chain.transaction] = chain }
                loans += plan.loans
            }
        }
        guard !entries.isEmpty || !chains.isEmpty else { return outcome }
        let planned = clock.now

        let keyRows = (written.map(\.idempotencyKey), written.map(\.id), written.map(\.type))
        let snapshotRows = snapshots.sorted { $0.key < $1.key }
        let chainRows = chains.values.sorted { $0.transaction < $1.transaction }
        let heldLoans = Array(Set(loans)).sorted()
        var summary = Ingestor.Summary()
        try await Ingestor.pipeline(pool: pool, source: Self.source, summary: &summary, inTransaction: { tx in
            if !keyRows.0.isEmpty {
                let inserted = try await tx.execute("""
                    INSERT INTO fineract_event_keys (idempotency_key, message_id, event_type)
                    SELECT unnest($1::text[]), unnest($2::bigint[]), unnest($3::text[])
                    ON CONFLICT (idempotency_key) DO NOTHING
                    """, [keyRows.0, keyRows.1, keyRows.2])
                // Another consumer committed one of these messages meanwhile: roll back, plan again.
                guard inserted == keyRows.0.count else { throw FineractEventAlreadyApplied() }
            }
            if !snapshotRows.isEmpty {
                let moved = try await tx.execute("""
                    INSERT INTO fineract_loan_snapshots (loan_id, message_id)
                    SELECT unnest($1::text[]), unnest($2::bigint[])
                    ON CONFLICT (loan_id) DO UPDATE SET message_id = EXCLUDED.message_id, applied_at = now()
                    WHERE fineract_loan_snapshots.message_id < EXCLUDED.message_id
                    """, [snapshotRows.map(\.key), snapshotRows.map(\.value)])
                // A newer snapshot of one of these loans committed meanwhile (another consumer):
                // roll back and plan again, over it.
                guard moved == snapshotRows.count else { throw FineractEventAlreadyApplied() }
            }
            if !chainRows.isEmpty {
                try await tx.execute("""
                    INSERT INTO fineract_transactions (transaction_id, loan_id, root_transaction_id, root_submitted_on)
                    SELECT unnest($1::bigint[]), unnest($2::text[]), unnest($3::bigint[]), unnest($4::date[])
                    ON CONFLICT (transaction_id) DO UPDATE SET root_transaction_id = EXCLUDED.root_transaction_id,
                        root_submitted_on = EXCLUDED.root_submitted_on
                    """, [chainRows.map(\.transaction), chainRows.map(\.loan), chainRows.map(\.root.id),
                          chainRows.map(\.root.submittedOnDate)])
            }
            try await FineractHeldLoans.record(heldLoans, on: tx)
        }, next: once(entries))
        outcome.applied = written.count
        outcome.accepted = summary.accepted
        outcome.rejected = summary.rejected
        func milliseconds(_ duration: Duration) -> Int { Int(duration / .milliseconds(1)) }
        PhaseLog(job: "consume-fineract-events").log("batch", [
            "messages": read.count, "applied": written.count, "records": entries.count,
            "read_context_ms": milliseconds(contextRead - started), "plan_ms": milliseconds(planned - contextRead),
            "write_commit_ms": milliseconds(clock.now - planned),
        ], level: "debug")
        return outcome
    }

    /// A `next` for the pipeline that hands over one chunk.
    private func once(_ entries: [IngestEntry]) -> () async throws -> [IngestEntry]? {
        var pending: [IngestEntry]? = entries
        return {
            defer { pending = nil }
            return pending
        }
    }
}

/// Thrown inside the write transaction to roll it back: another consumer committed one of the
/// batch's idempotency keys, or a newer snapshot of one of its loans, after the batch was planned.
struct FineractEventAlreadyApplied: Error {}
