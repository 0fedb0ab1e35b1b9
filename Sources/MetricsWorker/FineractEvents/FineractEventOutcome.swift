/// What handling a batch of messages did (counted in the summary, the progress logs and the
/// daemon's /metrics).
struct FineractEventOutcome: Sendable, Equatable {
    /// Messages handled (read or parked as unreadable).
    var messages = 0
    /// Messages applied (their records committed with their idempotency keys).
    var applied = 0
    /// Messages whose idempotency key was applied before (or earlier in the batch): nothing changed.
    var duplicates = 0
    /// Events (or bulk items) not for the metrics, by reason (an event type or dataschema, `group
    /// loan`, `stale loan snapshot`, `loan not held`, ...).
    var ignored: [String: Int] = [:]
    /// Messages or bulk items parked in `etl_rejects` (undecodable, unknown fingerprint, chargeback).
    var parked = 0
    /// Records written through the ingest path (accepted) and rejected by it.
    var accepted = 0
    var rejected = 0
}
