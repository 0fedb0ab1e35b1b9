/// A batch of messages that a `StompConsumer(prepareBatch:)` handler has read and planned:
/// `commit()` makes its effect durable (one database transaction), and once it returns the batch is
/// acknowledged. The consumer commits the prepared batches one at a time and in delivery order, and
/// prepares the next one while the previous one commits (a two-stage pipeline).
public protocol StompPreparedBatch: Sendable {
    /// Makes the batch's effect durable; a throw leaves the batch (and every later one)
    /// unacknowledged for redelivery.
    func commit() async throws
}

/// A batch whose whole handling happens at commit (`StompConsumer(handleBatch:)`).
struct StompDeferredBatch: StompPreparedBatch {
    let handle: @Sendable () async throws -> Void

    func commit() async throws { try await handle() }
}
