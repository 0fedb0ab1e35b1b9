import AnalyticsCore
import AnalyticsStore
import FineractEvents
import Foundation

/// Applies one Fineract message (docs/fineract-events.md "The consumer"): reads it
/// (``FineractEventReader``), maps its events with the pull's ``FineractMapping`` and writes the
/// records through the one ingest path (`Ingestor.pipeline`: validation, `etl_rejects`, upserts, the
/// marks the daemon follows), with, in the same transaction, the message's idempotency key, the
/// loans' snapshot ids and the transactions' replay chains. A message that cannot be read is parked
/// in `etl_rejects` (bytes in base64, the reason). Returns what it did; throws only when the
/// database fails (the message is then not acknowledged and comes again).
struct FineractEventHandler: Sendable {
    /// `etl_rejects.source` of the consumer.
    static let source = "fineract-events"

    let pool: PostgresPool
    let reader: FineractEventReader
    let offices: FineractOfficeCache
    let channel: FineractChannel

    func handle(_ bytes: [UInt8]) async throws -> FineractEventOutcome {
        let message: FineractEventMessage
        do throws(FineractEventFailure) {
            message = try reader.read(bytes)
        } catch {
            var outcome = FineractEventOutcome()
            outcome.parked = 1
            var summary = Ingestor.Summary()
            try await Ingestor.pipeline(pool: pool, source: Self.source, summary: &summary, next: once([FineractEventPlan.parked(error, location: "message (unreadable)")]))
            outcome.rejected = summary.rejected
            return outcome
        }
        return try await apply(message)
    }

    /// Applies a message already read (once per idempotency key).
    func apply(_ message: FineractEventMessage) async throws -> FineractEventOutcome {
        if try await !pool.query("SELECT 1 FROM fineract_event_keys WHERE idempotency_key = $1", [message.idempotencyKey]).isEmpty {
            var outcome = FineractEventOutcome()
            outcome.duplicate = true
            return outcome
        }
        let context = try await FineractEventContext.load(for: message, on: pool)
        let plan = FineractEventPlan(message: message, context: context,
                                     mapping: FineractMapping(offices: try await offices.current(), channel: channel))
        var outcome = FineractEventOutcome()
        outcome.ignored = plan.ignored
        outcome.parked = plan.parked
        guard !plan.entries.isEmpty || !plan.chains.isEmpty else { return outcome }

        let key = message.idempotencyKey, messageID = message.id, type = message.type
        let snapshots = plan.snapshots.sorted { $0.key < $1.key }
        let chains = plan.chains
        let loans = plan.loans
        var summary = Ingestor.Summary()
        do {
            try await Ingestor.pipeline(pool: pool, source: Self.source, summary: &summary, inTransaction: { tx in
                let inserted = try await tx.execute("""
                    INSERT INTO fineract_event_keys (idempotency_key, message_id, event_type) VALUES ($1, $2, $3)
                    ON CONFLICT (idempotency_key) DO NOTHING
                    """, [key, messageID, type])
                guard inserted == 1 else { throw FineractEventAlreadyApplied() }
                if !snapshots.isEmpty {
                    let moved = try await tx.execute("""
                        INSERT INTO fineract_loan_snapshots (loan_id, message_id)
                        SELECT unnest($1::text[]), unnest($2::bigint[])
                        ON CONFLICT (loan_id) DO UPDATE SET message_id = EXCLUDED.message_id, applied_at = now()
                        WHERE fineract_loan_snapshots.message_id < EXCLUDED.message_id
                        """, [snapshots.map(\.key), snapshots.map(\.value)])
                    // A newer snapshot of one of these loans committed meanwhile (another consumer):
                    // roll back; the message comes again and that loan's snapshot is then stale.
                    guard moved == snapshots.count else { throw FineractEventAlreadyApplied(newerSnapshot: true) }
                }
                if !chains.isEmpty {
                    try await tx.execute("""
                        INSERT INTO fineract_transactions (transaction_id, loan_id, root_transaction_id, root_submitted_on)
                        SELECT unnest($1::bigint[]), unnest($2::text[]), unnest($3::bigint[]), unnest($4::date[])
                        ON CONFLICT (transaction_id) DO UPDATE SET root_transaction_id = EXCLUDED.root_transaction_id,
                            root_submitted_on = EXCLUDED.root_submitted_on
                        """, [chains.map(\.transaction), chains.map(\.loan), chains.map(\.root.id), chains.map(\.root.submittedOnDate)])
                }
                try await FineractHeldLoans.record(loans, on: tx)
            }, next: once(plan.entries))
        } catch let error as FineractEventAlreadyApplied {
            if error.newerSnapshot { throw error }
            outcome = FineractEventOutcome()
            outcome.duplicate = true
            return outcome
        }
        outcome.applied = true
        outcome.accepted = summary.accepted
        outcome.rejected = summary.rejected
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

/// Thrown inside the write transaction to roll it back: the idempotency key is there already (a
/// concurrent delivery of the same message committed first), or a newer snapshot of a loan is.
struct FineractEventAlreadyApplied: Error {
    var newerSnapshot = false
}
