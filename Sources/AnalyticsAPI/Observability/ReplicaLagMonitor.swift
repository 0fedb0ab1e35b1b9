import AnalyticsStore
import Logging
import Prometheus
import ServiceLifecycle

/// Samples the read replica's replay lag every `interval` (default 5 s) for `/metrics`, off the
/// request path: `analytics_api_database_replica_lag_seconds` (0 when the replica has replayed all
/// it received, else the seconds since the commit it replayed last) and
/// `analytics_api_database_replica_up` (1 when the last sample was answered, else 0; the lag then
/// keeps its last value). The query runs on the replica's pool, whose blocking calls run on the
/// `BlockingExecutor`. Run only when the API has a replica of its own; stops on graceful shutdown.
struct ReplicaLagMonitor: Service {
    /// How often the lag is read by default.
    static let defaultInterval: Duration = .seconds(5)

    /// The lag in seconds. A server that is not in recovery (not a standby) has none; a standby whose
    /// replay position equals its receive position has replayed everything the primary sent it.
    static let lagSQL = """
        SELECT CASE
            WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(greatest(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0), 0)
        END::float8 AS lag
        """

    let replica: PostgresPool
    let interval: Duration
    let logger: Logger
    private let lag: Gauge
    private let up: Gauge

    init(replica: PostgresPool, metrics: APIMetrics, logger: Logger, interval: Duration = ReplicaLagMonitor.defaultInterval) {
        self.replica = replica
        self.interval = interval
        self.logger = logger
        // One line per name: deploy/check/check_monitoring.py finds the exported names this way.
        lag = metrics.registry.makeGauge(
            descriptor: ObservabilityController.descriptor("database_replica_lag_seconds",
                                                           "Seconds the read replica's replay is behind the primary (0 when caught up)"))
        up = metrics.registry.makeGauge(
            descriptor: ObservabilityController.descriptor("database_replica_up",
                                                           "1 when the read replica answered the last lag sample, else 0"))
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var answered = true
            while !Task.isCancelled {
                answered = await sample(previouslyAnswered: answered)
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Reads the lag once and sets the gauges; returns whether the replica answered.
    func sample(previouslyAnswered: Bool) async -> Bool {
        do {
            let seconds = try await replica.query(Self.lagSQL)[0].decode(Double.self, "lag")
            lag.set(seconds)
            up.set(1.0)
            return true
        } catch {
            up.set(0.0)
            // One line when it stops answering, not one per sample.
            if previouslyAnswered, !Task.isCancelled {
                let summary = (error as? PostgresError)?.logSummary ?? String(describing: type(of: error))
                logger.warning("read replica lag cannot be sampled", metadata: ["event": "replica_lag_unavailable", "error": "\(summary)"])
            }
            return false
        }
    }
}
