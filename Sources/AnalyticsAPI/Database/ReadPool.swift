import AnalyticsCore
import AnalyticsStore
import Logging
import Synchronization

/// The connections metric reads use: the streaming replica (`DATABASE_READ_URL`), with the primary
/// behind it for the reads the replica cannot answer.
///
/// Every read runs on the replica first. When the replica is unreachable (connect refused, the
/// connection lost, a connection-class SQLSTATE) the same read runs again on the primary, so no
/// reader sees the error; the replica is then left alone for a back-off (`initialBackoff`, doubling
/// up to `maximumBackoff` while it stays down), during which reads go straight to the primary,
/// after which one read tries it again while the others keep to the primary until it answers. A
/// statement the replica cancels because of a conflict with recovery (SQLSTATE 40001, 57014, 57P04)
/// or a replica pool with no free connection within its acquire timeout also sends that read to the
/// primary, without a back-off (the replica is up). Each read served by the primary instead of the
/// replica is counted by reason (`APIMetrics.recordReadFallback`).
///
/// Any other error (a bad statement, a decoding error) is the reader's: it is thrown, never retried.
/// A read must be read-only, since it may run twice. Without a replica (`replica === primary`) a
/// read simply runs on the primary. Thread-safe.
final class ReadPool: Sendable {
    /// Why a read meant for the replica was served by the primary (the `reason` label).
    enum FallbackReason: String, Sendable {
        /// The replica refused the connection or lost it.
        case unreachable
        /// The replica was found unreachable a moment ago and is in its back-off.
        case backoff
        /// The replica cancelled the statement: a conflict with recovery.
        case recoveryConflict = "recovery_conflict"
        /// The replica's pool had no free connection within its acquire timeout.
        case busy
    }

    private enum Route {
        case replica
        /// Unreachable: reads go to the primary until `until`, then one of them probes the replica.
        case down(until: ContinuousClock.Instant, backoff: Duration)
        /// One read is trying the replica; the others go to the primary.
        case probing(backoff: Duration)
    }

    private enum Choice {
        case replica(probe: Bool)
        case primary
    }

    /// The replica's pool (the primary's when there is no replica).
    let replica: PostgresPool
    /// The primary's pool.
    let primary: PostgresPool
    /// The first back-off after the replica was found unreachable.
    let initialBackoff: Duration
    /// The longest back-off.
    let maximumBackoff: Duration
    private let metrics: APIMetrics
    private let logger: Logger
    private let route = Mutex(Route.replica)

    /// Reads go to `replica`, falling back to `primary`; pass the same pool twice when there is no replica.
    init(replica: PostgresPool, primary: PostgresPool, metrics: APIMetrics, logger: Logger,
         initialBackoff: Duration = .milliseconds(500), maximumBackoff: Duration = .seconds(5)) {
        self.replica = replica
        self.primary = primary
        self.metrics = metrics
        self.logger = logger
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// A read on the primary alone (no replica configured).
    convenience init(primary: PostgresPool, metrics: APIMetrics, logger: Logger) {
        self.init(replica: primary, primary: primary, metrics: metrics, logger: logger)
    }

    /// True when reads have a replica of their own.
    var hasReplica: Bool { replica !== primary }

    /// The reads of one answer (``consistent(_:)``): once one of them went to the primary, the
    /// rest follow it there.
    final class Session: Sendable {
        let onPrimary = Mutex(false)
    }

    /// The session of the reads running in this task, if any.
    @TaskLocal static var session: Session?

    /// Runs `body`, whose reads make one answer (a served date, then its rows), so that they see one
    /// server: they start on the replica, and once one of them is served by the primary (the
    /// replica unreachable, busy or cancelling), the following ones are too. Otherwise a date read on
    /// the primary could be followed by its rows read on a replica that has only half of that date.
    /// (The other way round is safe: what a replica has, the primary has.)
    func consistent<R>(_ body: () async throws -> R) async throws -> R {
        guard hasReplica else { return try await body() }
        return try await Self.$session.withValue(Session()) { try await body() }
    }

    /// Runs one read-only statement (see the type's comment for where).
    func query(_ sql: String, _ bindings: PostgresBindings = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, bindings) }
    }

    /// Leases a connection for a read-only `body`, on the replica or, when it cannot answer, on the
    /// primary; `body` may run twice (once per server).
    func withConnection<R>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        guard hasReplica else { return try await primary.withConnection(body) }
        let session = Self.session
        if let session, session.onPrimary.withLock({ $0 }) { return try await primary.withConnection(body) }
        let probe: Bool
        switch choose() {
        case .primary:
            metrics.recordReadFallback(reason: .backoff)
            session?.onPrimary.withLock { $0 = true }
            return try await primary.withConnection(body)
        case .replica(let isProbe):
            probe = isProbe
        }
        do {
            let value = try await replica.withConnection(body)
            if probe { answered() }
            return value
        } catch {
            guard !Task.isCancelled, let reason = Self.fallbackReason(error) else {
                // The replica answered (the error is the read's own), or the reader went away.
                if probe { Task.isCancelled ? probeAgain() : answered() }
                throw error
            }
            switch reason {
            case .unreachable: unreachable(error, probe: probe)
            case .backoff, .recoveryConflict, .busy: if probe { answered() }
            }
            metrics.recordReadFallback(reason: reason)
            session?.onPrimary.withLock { $0 = true }
            return try await primary.withConnection(body)
        }
    }

    /// Why `error` from the replica sends its read to the primary, or nil when it does not.
    static func fallbackReason(_ error: any Error) -> FallbackReason? {
        guard let error = error as? PostgresError else { return nil }
        if error.isConnectionProblem { return .unreachable }
        if error.code == .poolTimeout { return .busy }
        if let state = error.sqlState, ["40001", "57014", "57P04"].contains(state) { return .recoveryConflict }
        return nil
    }

    // MARK: Route

    private func choose() -> Choice {
        let now = ContinuousClock.now
        return route.withLock { route in
            switch route {
            case .replica:
                return .replica(probe: false)
            case .down(let until, let backoff):
                guard now >= until else { return .primary }
                route = .probing(backoff: backoff)
                return .replica(probe: true)
            case .probing:
                return .primary
            }
        }
    }

    /// The replica answered the probe: reads go back to it.
    private func answered() {
        let restored = route.withLock { route in
            guard case .probing = route else { return false }
            route = .replica
            return true
        }
        if restored { logger.notice("read replica answers again; metric reads are back on it", metadata: ["event": "replica_restored"]) }
    }

    /// The probe ended without a verdict (its reader went away): the next read probes.
    private func probeAgain() {
        route.withLock { route in
            if case .probing(let backoff) = route { route = .down(until: .now, backoff: backoff) }
        }
    }

    /// The replica could not be reached: start (or, after a failed probe, lengthen) the back-off.
    private func unreachable(_ error: any Error, probe: Bool) {
        let now = ContinuousClock.now
        let started = route.withLock { route -> Duration? in
            switch route {
            case .replica:
                route = .down(until: now + initialBackoff, backoff: initialBackoff)
                return initialBackoff
            case .probing(let backoff) where probe:
                let next = min(backoff * 2, maximumBackoff)
                route = .down(until: now + next, backoff: next)
                return nil
            default:
                // Another read already found it down.
                return nil
            }
        }
        if let started {
            let summary = (error as? PostgresError)?.logSummary ?? String(describing: type(of: error))
            logger.warning("read replica unreachable; metric reads go to the primary", metadata: [
                "event": "replica_unreachable", "error": "\(summary)", "retry_after_ms": "\(started.wholeMilliseconds)",
            ])
        }
    }
}

