import AnalyticsCore
import AnalyticsStore
import Foundation
import Logging
import ServiceLifecycle

/// The daemon's half that follows the lending system (issue 14): it `LISTEN`s for the
/// `analytics_changes` notification that every committed ingest sends (migration 0009), gathers
/// what arrives within a short window, applies it with `LiveUpdate` to today's rows, and then
/// invalidates only the cache entries that showed the officers and branches that changed.
///
/// The notification is the wake-up, not the data: the marks in `live_changes` are. So the table is
/// read once after every (re)connection of the listener, after every batch (more may have
/// committed meanwhile), and as a safety net every `recheckInterval` of silence.
struct ChangeFollower: Service {
    /// The channel migration 0009's trigger notifies.
    static let channel = "analytics_changes"

    let context: DaemonContext
    /// How long to gather notifications after the first one before applying them.
    var gatherWindow: Duration = .milliseconds(150)
    /// The shortest time from the start of one applied batch to the start of the next
    /// (`DAEMON_BATCH_INTERVAL_MS`): under a steady stream, what arrives meanwhile waits and goes
    /// into the next batch, so the book is re-ranked (and its lists invalidated) at most this often.
    var batchInterval: Duration = .seconds(1)
    /// The longest silence after which the table is read anyway (a notification lost while the
    /// listener reconnected, say).
    var recheckInterval: Duration = .seconds(30)
    /// How long one wait on the listener blocks an executor thread (shutdown is seen within it).
    var waitSlice: Duration = .seconds(1)
    /// The wait before retrying while a job holds the writers' lock.
    var busyRetry: Duration = .milliseconds(250)
    /// Marks per incremental batch.
    var batchLimit = LiveUpdate.defaultBatchLimit

    func run() async throws {
        let listener = PostgresListener(configuration: context.pool.configuration, channel: Self.channel,
                                        executor: context.pool.executor, applicationName: "metrics-worker-daemon")
        try? await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await follow(listener) { failures = 0 }
                } catch is CancellationError {
                    break
                } catch {
                    failures += 1
                    let delay = Duration.milliseconds(min(30_000, 250 << min(failures, 7)))
                    context.logger.warning("following changes failed; retrying", metadata: [
                        "error": "\(error)", "retry_in_ms": "\(delay.wholeMilliseconds)",
                        "effect": "the marks stay in live_changes and are applied once it works again",
                    ])
                    await listener.close()
                    try await Task.sleep(for: delay)
                }
            }
        }
        await listener.close()
    }

    /// Listens and applies batches until cancelled or an error.
    private func follow(_ listener: PostgresListener, onHealthy: () -> Void) async throws {
        try await listener.listen()
        context.logger.info("following changes", metadata: ["channel": "\(Self.channel)"])
        // Whatever committed while nobody listened.
        var pending = true
        var silentSince = ContinuousClock.now
        var lastApplied: ContinuousClock.Instant?
        while !Task.isCancelled {
            if !pending {
                if try await listener.wait(timeout: waitSlice) {
                    pending = true
                    try await Task.sleep(for: gatherWindow)
                    _ = try await listener.wait(timeout: .zero)
                } else if ContinuousClock.now - silentSince >= recheckInterval {
                    pending = true
                } else {
                    continue
                }
            }
            if let lastApplied, lastApplied + batchInterval > .now {
                try await Task.sleep(until: lastApplied + batchInterval, clock: .continuous)
            }
            let started = ContinuousClock.now
            let outcome = try await applyOnce()
            onHealthy()
            switch outcome.kind {
            case .idle:
                pending = false
                silentSince = .now
            case .busy:
                try await Task.sleep(for: busyRetry)
            case .applied, .fullRefresh:
                // More may have committed while this batch ran: look again (after `batchInterval`).
                lastApplied = started
                pending = true
            }
        }
    }

    /// One batch for today, with its metrics, log line and cache invalidation.
    func applyOnce() async throws -> LiveUpdate.Outcome {
        let date = context.today()
        let job = JobContext(pool: context.pool, runner: context.runner, asOf: date, partition: .all, options: context.options)
        let started = ContinuousClock.now
        let outcome: LiveUpdate.Outcome
        do {
            outcome = try await LiveUpdate.applyPending(job, limit: batchLimit)
        } catch {
            let seconds = (ContinuousClock.now - started).seconds
            context.metrics.recordBatch(changes: 0, loans: 0, officers: 0, seconds: seconds, outcome: "failed")
            throw error
        }
        let seconds = (ContinuousClock.now - started).seconds
        if outcome.kind == .applied || outcome.kind == .fullRefresh {
            context.metrics.recordBatch(changes: outcome.changes, loans: outcome.loans, officers: outcome.officers,
                                        seconds: seconds, outcome: outcome.kind.rawValue)
        }
        if outcome.kind == .applied, !outcome.changedOfficers.isEmpty || !outcome.affectedBranches.isEmpty {
            await invalidate(outcome)
        }
        if outcome.kind != .busy {
            let backlog = try await LiveUpdate.backlog(context.pool)
            context.metrics.setQueue(depth: backlog.depth, oldestAgeSeconds: backlog.oldestAgeSeconds)
        }
        return outcome
    }

    /// Forgets the cached entries that showed what changed: each changed officer, each affected
    /// branch, and whatever aggregates or ranks across the book (ARCHITECTURE.md "Cache
    /// invalidation"). Redis down is logged; the entries then age out by their TTL.
    private func invalidate(_ outcome: LiveUpdate.Outcome) async {
        guard let redis = context.redis else { return }
        let log = PhaseLog(job: "live_update")
        await context.runner.waitForReplica(log: log)
        var tags: Set<CacheTag> = [.book]
        for officer in outcome.changedOfficers { tags.insert(.officer(officer)) }
        for branch in outcome.affectedBranches { tags.insert(.branch(branch)) }
        do {
            try await CacheNamespace.invalidate(tags: tags, redis: redis)
            log.log("cache_entries_invalidated", ["officers": outcome.changedOfficers.count, "branches": outcome.affectedBranches.count])
        } catch {
            log.log("cache_invalidation_failed", ["error": String(describing: error), "effect": "cached entries age out by TTL"],
                    level: "warning")
        }
    }
}
