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
///
/// The consumer runs it in two stages (``FineractPreparedEvents``): `plan` for a batch while the
/// batch before it is still in `write`, over that batch's changes (``FineractEventBatchPlan/changes``).
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

    /// Reads the messages' bytes (decoding each; one that cannot be read is parked).
    func read(_ batch: [[UInt8]]) -> [Result<FineractEventMessage, FineractEventFailure>] {
        batch.map { bytes in Result { () throws(FineractEventFailure) in try reader.read(bytes) } }
    }

    /// Reads and applies the messages' bytes, in delivery order.
    func handle(_ batch: [[UInt8]]) async throws -> FineractEventOutcome { try await apply(read(batch)) }

    /// Reads and applies one message.
    func handle(_ bytes: [UInt8]) async throws -> FineractEventOutcome { try await handle([bytes]) }

    /// Applies messages already read, in order (each idempotency key once).
    func apply(_ messages: [FineractEventMessage]) async throws -> FineractEventOutcome {
        try await apply(messages.map { .success($0) })
    }

    /// Applies one message already read.
    func apply(_ message: FineractEventMessage) async throws -> FineractEventOutcome { try await apply([message]) }

    /// Plans and writes messages read, over what the database holds (nothing in flight).
    func apply(_ read: [Result<FineractEventMessage, FineractEventFailure>]) async throws -> FineractEventOutcome {
        var attempt = 1
        while true {
            do {
                return try await write(try await plan(read, over: nil))
            } catch is FineractEventAlreadyApplied where attempt < Self.attempts {
                attempt += 1  // planned again, over what the other consumer committed
            }
        }
    }

    /// Plans a batch: checks the idempotency keys and reads the context once for the batch (what
    /// the database holds, with what `inFlight`, a batch planned before and still being written,
    /// adds to it), then maps the messages in delivery order, each over what the earlier ones leave.
    func plan(_ read: [Result<FineractEventMessage, FineractEventFailure>],
              over inFlight: FineractEventBatchPlan? = nil) async throws -> FineractEventBatchPlan {
        let clock = ContinuousClock()
        let started = clock.now
        var plan = FineractEventBatchPlan()
        plan.outcome.messages = read.count
        let keys = read.compactMap { try? $0.get().idempotencyKey }
        var applied = inFlight?.keys ?? []
        if !keys.isEmpty {
            for row in try await pool.query("SELECT idempotency_key FROM fineract_event_keys WHERE idempotency_key = ANY($1::text[])", [keys]) {
                applied.insert(try row.decode(String.self, "idempotency_key"))
            }
        }
        // The messages to plan: readable, not applied before, the first of their key in the batch.
        let isFresh = read.map { item in (try? item.get()).map { applied.insert($0.idempotencyKey).inserted } ?? false }
        let fresh = zip(read, isFresh).compactMap { item, isFresh in isFresh ? try? item.get() : nil }
        plan.outcome.duplicates = keys.count - fresh.count
        var context = try await FineractEventContext.load(for: fresh, on: pool)
        if let inFlight { context.overlay(inFlight.changes) }
        let initial = context
        var officeIDs = Set<Int64>()
        for case .success(let event) in fresh.lazy.flatMap(\.events) {
            if case .loan(let row, _) = event.content, let office = row.clientOfficeID { officeIDs.insert(office) }
        }
        let mapping = FineractMapping(offices: try await offices.current(naming: officeIDs), channel: channel)
        let contextRead = clock.now

        for (item, isFresh) in zip(read, isFresh) {
            switch item {
            case .failure(let failure):
                plan.outcome.parked += 1
                plan.entries.append(FineractEventPlan.parked(failure, location: "message (unreadable)"))
            case .success(let message):
                guard isFresh else { continue }
                let messagePlan = FineractEventPlan(message: message, context: context, mapping: mapping)
                context = messagePlan.context
                plan.outcome.ignored.merge(messagePlan.ignored, uniquingKeysWith: +)
                plan.outcome.parked += messagePlan.parked
                guard !messagePlan.entries.isEmpty || !messagePlan.chains.isEmpty else { continue }
                plan.written.append(message)
                plan.entries += messagePlan.entries
                plan.snapshots.merge(messagePlan.snapshots) { _, later in later }
                for chain in messagePlan.chains { plan.chains[chain.transaction] = chain }
                plan.loans += messagePlan.loans
            }
        }
        plan.changes = context.changes(since: initial)
        plan.readContext = contextRead - started
        plan.planning = clock.now - contextRead
        return plan
    }

    /// Writes a planned batch in one transaction: its records through the ingest path, with its
    /// idempotency keys, snapshots, chains and held loans. Throws ``FineractEventAlreadyApplied``
    /// (rolled back) when another consumer committed one of its keys or a newer snapshot of one of
    /// its loans since it was planned.
    func write(_ plan: FineractEventBatchPlan) async throws -> FineractEventOutcome {
        var outcome = plan.outcome
        guard !plan.entries.isEmpty || !plan.chains.isEmpty else { return outcome }
        let clock = ContinuousClock()
        let started = clock.now
        let keyRows = (plan.written.map(\.idempotencyKey), plan.written.map(\.id), plan.written.map(\.type))
        let snapshotRows = plan.snapshots.sorted { $0.key < $1.key }
        let chainRows = plan.chains.values.sorted { $0.transaction < $1.transaction }
        let heldLoans = Array(Set(plan.loans)).sorted()
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
        }, next: once(plan.entries))
        outcome.applied = plan.written.count
        outcome.accepted = summary.accepted
        outcome.rejected = summary.rejected
        func milliseconds(_ duration: Duration) -> Int { Int(duration / .milliseconds(1)) }
        PhaseLog(job: "consume-fineract-events").log("batch", [
            "messages": plan.outcome.messages, "applied": plan.written.count, "records": plan.entries.count,
            "read_context_ms": milliseconds(plan.readContext), "plan_ms": milliseconds(plan.planning),
            "write_commit_ms": milliseconds(clock.now - started),
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
