import AnalyticsCore
import AnalyticsStore
import FineractEvents
import ArgumentParser
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `metrics-worker daemon`: all of the daemon's wiring, in one place.
///
/// One `ServiceGroup`, with graceful shutdown on SIGTERM and SIGINT, runs in this order: the
/// worker's executor, pool and Redis client (`WorkerRuntime`), the lease pool and the control pool
/// (probes, cancelling a job's statements), the metrics server, the schedule, the change follower.
/// Shutdown goes in reverse: the follower finishes its batch, the schedule lets its job finish
/// (within `DAEMON_SHUTDOWN_GRACE_SECONDS`), the server stops, then the pools and the executor.
enum Daemon {
    /// What the command line asks for.
    struct Request: Sendable {
        var asOf: CalendarDate?
        /// `--metrics-port`, overriding `DAEMON_METRICS_PORT`.
        var metricsPort: Int?
        var schedule = true
        var follow = true
    }

    static func run(_ request: Request) async throws {
        // Unique per process: the control pool cancels this daemon's job statements by it.
        let applicationName = "metrics-worker daemon " + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        // The lease's connection, the control pool's, one for the change follower's LISTEN, and
        // one for the Fineract tenant's pool.
        let runtime = try WorkerRuntime.make(label: "metrics-worker.daemon", extraThreads: 4, applicationName: applicationName)
        let settings: DaemonConfiguration
        do {
            settings = try DaemonConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("metrics-worker: \(error)\n".utf8))
            throw ExitCode.usage
        }
        let zoneName = runtime.configuration.timeZone
        if let asOf = request.asOf {
            do throws(ValidationError) {
                try AsOfOption.refuseFutureStatesDate(asOf, timeZone: zoneName)
            } catch {
                FileHandle.standardError.write(Data("metrics-worker: \(error.message)\n".utf8))
                throw ExitCode.usage
            }
        }
        guard let zone = TimeZone(identifier: zoneName) else {
            FileHandle.standardError.write(Data("metrics-worker: configuration error: ANALYTICS_TIMEZONE is not a known time zone: '\(zoneName)'\n".utf8))
            throw ExitCode.usage
        }
        let database = runtime.configuration.database
        let leasePool = PostgresPool(configuration: database, maximumConnections: 1, acquireTimeout: .seconds(10),
                                     executor: runtime.executor, applicationName: "metrics-worker daemon lease", logger: runtime.logger)
        let controlPool = PostgresPool(configuration: database, maximumConnections: 1, acquireTimeout: .seconds(2),
                                       executor: runtime.executor, applicationName: "metrics-worker daemon control", logger: runtime.logger)
        let metrics = DaemonMetrics()
        // The tenant's pool exists only when FINERACT_DATABASE_URL is set (the schedule's
        // sync-fineract entry likewise); it connects when the entry first runs.
        let fineract = runtime.configuration.fineract.map {
            FineractTenant(configuration: $0, pool: SyncFineractCommand.tenantPool($0, runtime: runtime))
        }
        let context = DaemonContext(pool: runtime.pool, redis: runtime.redis, runner: runtime.runner, metrics: metrics,
                                    logger: runtime.logger, options: runtime.configuration.metricsOptions,
                                    asOf: request.asOf, timeZone: zone, fineract: fineract)
        var services = runtime.services + [leasePool, controlPool]
        if let fineract { services.append(fineract.pool) }
        services.append(MetricsServer.make(host: settings.metricsHost, port: request.metricsPort ?? settings.metricsPort,
                                           metrics: metrics, probePool: controlPool, logger: runtime.logger))
        if request.schedule {
            services.append(ScheduleService(
                context: context, jobs: settings.jobs,
                lease: PostgresSchedulingLease(pool: leasePool, checkEvery: settings.leaseRetry),
                history: PostgresScheduleHistory(pool: runtime.pool),
                interrupter: PostgresJobInterrupter(pool: controlPool, applicationName: applicationName),
                retry: settings.leaseRetry, grace: settings.shutdownGrace))
        }
        if request.follow {
            services.append(ChangeFollower(context: context, batchInterval: settings.batchInterval))
        }
        // FINERACT_EVENTS_URL: Fineract's events, applied as they come (docs/fineract-events.md).
        if let events = runtime.configuration.fineractEvents {
            let series = metrics.makeFineractEventSeries()
            services.append(FineractEventConsumer(configuration: events, pool: runtime.pool, reader: try FineractEventReader.fineract(),
                                                  stats: FineractEventStats(observer: { series.record($0) }), logger: runtime.logger))
        }
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: runtime.logger)
        // A backstop: the schedule cancels its job after the grace period (and 10 s of statement
        // cancels); anything still running 30 s later is cancelled by the group.
        configuration.maximumGracefulShutdownDuration = settings.shutdownGrace + .seconds(40)
        let log = PhaseLog(job: "daemon")
        log.log("daemon_start", [
            "as_of": request.asOf.map { "\($0)" } ?? "today in \(zoneName)",
            "schedule": request.schedule ? settings.jobs.map { "\($0.name)=\($0.cron)" }.joined(separator: ", ") : "off (--no-schedule)",
            "schedule_disabled": settings.disabled.joined(separator: ", "),
            "follow": request.follow ? "on" : "off (--no-follow)",
            "fineract_events": runtime.configuration.fineractEvents.map { "queue \($0.queue)" } ?? "off (no FINERACT_EVENTS_URL)",
            "application_name": applicationName,
        ])
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch let error as IOError {
            // The metrics server could not listen (the port is taken, the address is not ours).
            let port = request.metricsPort ?? settings.metricsPort
            FileHandle.standardError.write(Data("""
                metrics-worker: daemon failed: cannot listen on \(settings.metricsHost):\(port) for /metrics \
                (DAEMON_METRICS_HOST, DAEMON_METRICS_PORT or --metrics-port): \(String(cString: strerror(error.errnoCode)))

                """.utf8))
            throw ExitCode.jobFailed
        } catch {
            throw runtime.fail(error, doing: "daemon")
        }
        log.log("daemon_stopped", [:])
    }
}
