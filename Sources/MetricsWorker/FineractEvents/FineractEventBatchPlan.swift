import AnalyticsCore
import FineractEvents

/// A batch of messages planned by ``FineractEventHandler/plan(_:over:)``: what its transaction
/// writes, what it counts, and what it adds to the consumer's view of the database (for planning
/// the next batch while this one is written).
struct FineractEventBatchPlan: Sendable {
    /// The counts known before the write (messages, duplicates, ignored, parked).
    var outcome = FineractEventOutcome()
    /// The entries for the ingest path, in delivery order.
    var entries: [IngestEntry] = []
    /// The messages whose idempotency keys the transaction records.
    var written: [FineractEventMessage] = []
    /// Their idempotency keys.
    var keys: Set<String> { Set(written.lazy.map(\.idempotencyKey)) }
    /// Loan id -> the message id of the snapshot applied.
    var snapshots: [String: Int64] = [:]
    /// Replay chains, by Fineract transaction id.
    var chains: [Int64: FineractEventPlan.Chain] = [:]
    /// Loans whose snapshot is applied (recorded as coming from the tenant).
    var loans: [String] = []
    /// What the batch adds to the context once written (loans held, snapshots, chains).
    var changes = FineractEventContext()
    /// Time spent checking keys and reading the context, and planning.
    var readContext: Duration = .zero
    var planning: Duration = .zero
}
