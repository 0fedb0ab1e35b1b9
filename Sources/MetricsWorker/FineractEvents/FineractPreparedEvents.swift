import FineractEvents
import Stomp
import Synchronization

/// A batch of Fineract messages read and planned while the batch before it is still being written
/// (the consumer's two stages, `StompConsumer(prepareBatch:)`): its plan is made over the database
/// with that batch's changes laid over it, so it is what planning after that batch's commit gives.
///
/// Its `commit()` writes the plan, then runs `committed` (statistics; the batch is acknowledged
/// after it). When its own write finds that another consumer committed one of its messages (or a
/// newer snapshot) since, or the batch it was planned over did not commit as planned, it is planned
/// again over what the database now holds and written (``FineractEventHandler/apply(_:)``).
final class FineractPreparedEvents: StompPreparedBatch {
    let plan: FineractEventBatchPlan
    private let read: [Result<FineractEventMessage, FineractEventFailure>]
    private let handler: FineractEventHandler
    /// Set when this batch committed something other than `plan` (planned again).
    private let diverged = Divergence()
    /// The divergence flag of the batch this one was planned over, if it was still being written.
    private let basis: Divergence?
    private let committed: @Sendable (FineractEventOutcome) async throws -> Void

    /// Plans the messages `read`, over `committing` when it is a batch still being written.
    init(_ read: [Result<FineractEventMessage, FineractEventFailure>], committing: (any StompPreparedBatch)?,
         handler: FineractEventHandler, committed: @escaping @Sendable (FineractEventOutcome) async throws -> Void) async throws {
        let before = committing as? FineractPreparedEvents
        self.read = read
        plan = try await handler.plan(read, over: before?.plan)
        basis = before?.diverged
        self.handler = handler
        self.committed = committed
    }

    /// True once this batch committed something other than its plan (it was planned again).
    var wasPlannedAgain: Bool { diverged.isSet }

    func commit() async throws {
        let outcome: FineractEventOutcome
        if basis?.isSet == true {
            diverged.set()
            outcome = try await handler.apply(read)
        } else {
            do {
                outcome = try await handler.write(plan)
            } catch is FineractEventAlreadyApplied {
                diverged.set()
                outcome = try await handler.apply(read)
            }
        }
        try await committed(outcome)
    }

    /// A flag set once.
    final class Divergence: Sendable {
        private let flag = Atomic(false)

        var isSet: Bool { flag.load(ordering: .acquiring) }

        func set() { flag.store(true, ordering: .releasing) }
    }
}
