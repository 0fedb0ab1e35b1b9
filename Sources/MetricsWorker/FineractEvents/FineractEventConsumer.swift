import AnalyticsStore
import FineractEvents
import Logging
import ServiceLifecycle
import Stomp

/// The consumer of Fineract's events (docs/fineract-events.md "The consumer"): the queue over
/// STOMP (``StompConsumer``: cumulative client acknowledgement after the commit, reconnect with
/// backoff, heart-beats), the messages received so far (up to `FINERACT_EVENTS_BATCH`) applied by
/// ``FineractEventHandler`` in one transaction before they are acknowledged; the next batch is read
/// and planned while one is written (``FineractPreparedEvents``). A database error throws from the handler: the batch is not acknowledged and
/// comes again. A Service for the daemon; `consume()` for the subcommand.
struct FineractEventConsumer: Service {
    let stats: FineractEventStats
    private let stomp: StompConsumer

    /// - Parameters:
    ///   - idleTimeout: `--until-idle`: `consume()` returns once the queue was quiet that long.
    ///   - afterApply: runs after a batch's transaction committed and before it is acknowledged
    ///     (tests: a throw there is a consumer that died between the two).
    init(configuration: FineractEventsConfiguration, pool: PostgresPool, reader: FineractEventReader, idleTimeout: Duration? = nil,
         stats: FineractEventStats, logger: Logger, progressEvery: Int = 1_000,
         afterApply: (@Sendable (FineractEventOutcome) async throws -> Void)? = nil) {
        self.stats = stats
        let handler = FineractEventHandler(pool: pool, reader: reader,
                                           offices: FineractOfficeCache(pool: pool, regionLevel: configuration.regionLevel),
                                           channel: configuration.channel)
        let log = PhaseLog(job: "consume-fineract-events")
        // Exclusive: with several daemon replicas (or a catch-up run beside the daemon) one
        // consumes and the others stand by, so Fineract's per-loan order holds.
        let options = StompConsumerOptions(queue: configuration.queue, prefetch: 2 * configuration.batchSize,
                                           maxBatch: configuration.batchSize, exclusive: true, idleTimeout: idleTimeout)
        stomp = StompConsumer(configuration: configuration.broker, options: options, logger: logger) { messages, committing in
            try await FineractPreparedEvents(handler.read(messages.map(\.bodyBytes)), committing: committing, handler: handler) { outcome in
                try await afterApply?(outcome)
                Self.record(outcome, of: messages, in: stats, log: log, progressEvery: progressEvery)
            }
        }
    }

    /// Counts a committed batch, warns when it parked messages, logs progress.
    private static func record(_ outcome: FineractEventOutcome, of messages: [StompMessage], in stats: FineractEventStats,
                               log: PhaseLog, progressEvery: Int) {
        stats.record(outcome)
        if outcome.parked > 0 {
            log.log("parked", ["first_message_id": messages[0].messageID, "messages": messages.count, "parked": outcome.parked,
                               "hint": "see them with: metrics-worker rejects --source \(FineractEventHandler.source)"], level: "warning")
        }
        let totals = stats.totals
        let every = max(progressEvery, 1)
        if totals.consumed / every > (totals.consumed - outcome.messages) / every {
            log.log("progress", ["consumed": totals.consumed, "applied": totals.applied, "duplicates": totals.duplicates,
                                 "ignored": totals.ignoredTotal, "parked": totals.parked])
        }
    }

    func run() async throws { try await stomp.run() }

    /// Consumes until stopped, cancelled or idle (`idleTimeout`).
    func consume() async throws -> StompConsumerSummary { try await stomp.consume() }

    /// Asks it to finish the batch in hand and return.
    func stop() { stomp.stop() }
}
