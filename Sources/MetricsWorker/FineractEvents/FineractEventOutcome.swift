/// What handling one message did (counted in the summary, the progress logs and the daemon's
/// /metrics).
struct FineractEventOutcome: Sendable, Equatable {
    /// The message was applied (its records committed with its idempotency key).
    var applied = false
    /// Its idempotency key was applied before: nothing changed.
    var duplicate = false
    /// Events (or bulk items) not for the metrics, by reason (an event type or dataschema, `group
    /// loan`, `stale loan snapshot`, `loan not held`, ...).
    var ignored: [String: Int] = [:]
    /// Messages or bulk items parked in `etl_rejects` (undecodable, unknown fingerprint, chargeback).
    var parked = 0
    /// Records written through the ingest path (accepted) and rejected by it.
    var accepted = 0
    var rejected = 0
}
