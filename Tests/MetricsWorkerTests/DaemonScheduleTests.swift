import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import ServiceLifecycle
import Testing

/// The schedule service with an injected clock, lease, history and jobs: what runs when, once.
@Suite("Daemon schedule")
struct DaemonScheduleTests {
    static let lagos = TimeZone(identifier: "Africa/Lagos")!

    static func at(_ text: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad test instant \(text)") }
        return date
    }

    /// A fake job: records its start and end, optionally waits at `gate`, then does `then`.
    static func job(_ name: String, _ cron: String, log: RunLog, gate: Gate? = nil,
                    then: @escaping @Sendable () throws -> Void = {}) throws -> ScheduledJob {
        ScheduledJob(name: name, cron: try CronExpression(cron), logTypes: [name.replacingOccurrences(of: "-", with: "_")]) { context, date in
            log.started(name, date)
            try await gate?.wait()
            try then()
            log.finished(name, date)
            return JobCounts(processed: 1, updated: 0, failed: 0)
        }
    }

    /// Runs a schedule service over `jobs` in a ServiceGroup until `body` returns, then shuts it
    /// down gracefully and waits for it (a job still running then meets the shutdown: `grace`,
    /// `interruptFor`). The context's pool is never used by fake jobs.
    static func withSchedule(_ jobs: [ScheduledJob], clock: ManualClock, lease: any SchedulingLease = FakeLease(),
                             history: any ScheduleHistory = FakeHistory(), interrupter: any JobInterrupter = FakeInterrupter(),
                             asOf: CalendarDate? = nil, grace: Duration = .seconds(30), interruptFor: Duration = .seconds(10),
                             metrics: DaemonMetrics = DaemonMetrics(),
                             _ body: (DaemonMetrics) async throws -> Void) async throws {
        let executor = BlockingExecutor(threads: 1)
        let pool = PostgresPool(configuration: try PostgresConfiguration(url: "postgres://nobody@127.0.0.1:1/unused"),
                                maximumConnections: 1, acquireTimeout: .seconds(1), executor: executor)
        let logger = Logger(label: "test.daemon")
        let context = DaemonContext(pool: pool, redis: nil, runner: JobRunner(pool: pool, redis: nil, logger: logger), metrics: metrics,
                                    logger: logger, options: MetricsOptions(), asOf: asOf, timeZone: lagos, clock: clock)
        var service = ScheduleService(context: context, jobs: jobs, lease: lease, history: history, interrupter: interrupter,
                                      retry: .milliseconds(50), grace: grace)
        service.interruptFor = interruptFor
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(metrics)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        pool.shutdown()
        try await executor.shutdown()
    }

    /// Waits until the service has gone back to sleep after the clock last moved.
    static func settle(_ clock: ManualClock, after sleeps: Int) async throws {
        try await Waiting.until("the schedule sleeps again") { clock.sleeps > sleeps && clock.sleeping == 1 }
    }

    /// Moves the clock and waits until the schedule has acted and sleeps again.
    static func advance(_ clock: ManualClock, to text: String) async throws {
        let sleeps = clock.sleeps
        clock.advance(to: at(text))
        try await settle(clock, after: sleeps)
    }

    @Test("a job runs once at each fire time, for the business date of the moment it starts")
    func runsOncePerFireTime() async throws {
        let log = RunLog()
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))  // 10:05 in Lagos
        try await Self.withSchedule([try Self.job("quarter", "*/15 * * * *", log: log)], clock: clock) { metrics in
            try await Self.settle(clock, after: 0)
            #expect(log.starts("quarter") == 0)
            try await Self.advance(clock, to: "2024-06-15T09:15:00Z")
            #expect(log.starts("quarter") == 1)
            try await Self.advance(clock, to: "2024-06-15T09:16:00Z")
            try await Self.advance(clock, to: "2024-06-15T09:29:59Z")
            #expect(log.starts("quarter") == 1)
            try await Self.advance(clock, to: "2024-06-15T09:30:00Z")
            #expect(log.starts("quarter") == 2)
            // Local midnight moves the business date: 23:00Z is 00:00 on the 16th in Lagos.
            try await Self.advance(clock, to: "2024-06-15T23:00:00Z")
            #expect(log.dates("quarter") == [CalendarDate(iso: "2024-06-15"), CalendarDate(iso: "2024-06-15"), CalendarDate(iso: "2024-06-16")])
            #expect(String(decoding: metrics.render(), as: UTF8.self)
                .contains(#"analytics_daemon_job_runs_total{schedule="quarter",outcome="completed"} 3"#))
        }
    }

    @Test("--as-of pins the business date whatever the clock says")
    func asOfPinsTheDate() async throws {
        let log = RunLog()
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))
        try await Self.withSchedule([try Self.job("quarter", "*/15 * * * *", log: log)], clock: clock,
                                    asOf: CalendarDate(iso: "2024-11-01")) { _ in
            try await Self.settle(clock, after: 0)
            try await Self.advance(clock, to: "2024-06-15T09:15:00Z")
            try await Self.advance(clock, to: "2024-06-16T09:15:00Z")
            #expect(log.dates("quarter") == [CalendarDate(iso: "2024-11-01"), CalendarDate(iso: "2024-11-01")])
        }
    }

    @Test("a run still going at its next fire times is not started again; another entry due meanwhile runs once after it")
    func overlappingRunNotDoubled() async throws {
        let log = RunLog()
        let gate = Gate()
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))
        let jobs = [try Self.job("slow", "*/15 * * * *", log: log, gate: gate), try Self.job("half-hour", "*/30 * * * *", log: log)]
        try await Self.withSchedule(jobs, clock: clock) { _ in
            try await Self.settle(clock, after: 0)
            clock.advance(to: Self.at("2024-06-15T09:15:00Z"))
            try await Waiting.until("slow starts") { log.starts("slow") == 1 }
            // 09:30 and 09:45 pass while it runs: slow's fire times and half-hour's 09:30.
            clock.advance(to: Self.at("2024-06-15T09:50:00Z"))
            let sleeps = clock.sleeps
            gate.open()
            try await Self.settle(clock, after: sleeps)
            #expect(log.starts("slow") == 1)
            #expect(log.starts("half-hour") == 1)
            #expect(log.order == ["slow", "half-hour"])
            // Next: both at 10:00, once each, in schedule order.
            try await Self.advance(clock, to: "2024-06-15T10:00:00Z")
            #expect(log.order == ["slow", "half-hour", "slow", "half-hour"])
        }
    }

    @Test("a skipped job and a failed job are recorded, and the schedule goes on")
    func skippedAndFailedRecorded() async throws {
        struct Boom: Error {}
        let log = RunLog()
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))
        let jobs = [
            try Self.job("skips", "*/15 * * * *", log: log) { throw JobSkipped(message: "lock held elsewhere") },
            try Self.job("fails", "*/15 * * * *", log: log) { throw Boom() },
            try Self.job("works", "*/15 * * * *", log: log),
        ]
        try await Self.withSchedule(jobs, clock: clock) { metrics in
            try await Self.settle(clock, after: 0)
            try await Self.advance(clock, to: "2024-06-15T09:15:00Z")
            try await Self.advance(clock, to: "2024-06-15T09:30:00Z")
            #expect(log.starts("skips") == 2 && log.starts("fails") == 2 && log.starts("works") == 2)
            let text = String(decoding: metrics.render(), as: UTF8.self)
            for line in [#"analytics_daemon_job_last_result{schedule="skips",outcome="skipped"} 1.0"#,
                         #"analytics_daemon_job_last_result{schedule="skips",outcome="completed"} 0.0"#,
                         #"analytics_daemon_job_last_result{schedule="fails",outcome="failed"} 1.0"#,
                         #"analytics_daemon_job_runs_total{schedule="fails",outcome="failed"} 2"#,
                         #"analytics_daemon_job_runs_total{schedule="skips",outcome="skipped"} 2"#,
                         #"analytics_daemon_job_last_result{schedule="works",outcome="completed"} 1.0"#,
                         #"analytics_daemon_job_last_run_timestamp_seconds{schedule="works"} 1718443800.0"#,
                         "analytics_daemon_lease_held 1.0"] {
                #expect(text.contains(line), "missing \(line) in\n\(text)")
            }
        }
    }

    @Test("on taking the lease, an entry whose fire time today has no completed run since runs at once")
    func missedFireTimeCaughtUp() async throws {
        let log = RunLog()
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))  // 10:05 in Lagos: 02:00 has passed
        let jobs = [try Self.job("full-refresh", "0 2 * * *", log: log), try Self.job("done-already", "0 3 * * *", log: log),
                    try Self.job("later-today", "0 23 * * *", log: log)]
        try await Self.withSchedule(jobs, clock: clock, history: FakeHistory(missing: ["full_refresh", "later_today"])) { _ in
            try await Waiting.until("the missed run ran") { log.starts("full-refresh") == 1 }
            try await Self.settle(clock, after: 0)
            #expect(log.order == ["full-refresh"])
            // Its next fire time is tomorrow's 02:00, not again today.
            try await Self.advance(clock, to: "2024-06-15T20:00:00Z")
            #expect(log.order == ["full-refresh"])
            try await Self.advance(clock, to: "2024-06-15T22:00:00Z")
            #expect(log.order == ["full-refresh", "later-today"])
            try await Self.advance(clock, to: "2024-06-16T01:00:00Z")
            #expect(log.order == ["full-refresh", "later-today", "full-refresh"])
        }
    }

    @Test("without the lease nothing runs; once it is granted the schedule starts")
    func standsByWithoutLease() async throws {
        let log = RunLog()
        let lease = FakeLease(refusals: 3)
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))
        try await Self.withSchedule([try Self.job("quarter", "*/15 * * * *", log: log)], clock: clock, lease: lease,
                                    history: FakeHistory()) { metrics in
            try await Waiting.until("the lease is granted") { lease.attempts == 4 }
            try await Self.settle(clock, after: 0)
            #expect(log.starts("quarter") == 0)
            #expect(String(decoding: metrics.render(), as: UTF8.self).contains("analytics_daemon_lease_held 1.0"))
            try await Self.advance(clock, to: "2024-06-15T09:15:00Z")
            #expect(log.starts("quarter") == 1)
        }
    }

    @Test("graceful shutdown lets a running job finish: nothing new starts, its outcome is recorded")
    func shutdownLetsJobFinish() async throws {
        let log = RunLog()
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))
        let interrupter = FakeInterrupter()
        let metrics = DaemonMetrics()
        // "slow" runs until the shutdown has reached the service (it shares its graceful-shutdown
        // state), then finishes normally; "next" is due at the same time, after it.
        let slow = ScheduledJob(name: "slow", cron: try CronExpression("*/15 * * * *"), logTypes: ["slow"]) { _, date in
            log.started("slow", date)
            try await gracefulShutdown()
            log.finished("slow", date)
            return JobCounts(processed: 1, updated: 0, failed: 0)
        }
        let jobs = [slow, try Self.job("next", "*/15 * * * *", log: log)]
        try await Self.withSchedule(jobs, clock: clock, interrupter: interrupter, metrics: metrics) { _ in
            try await Self.settle(clock, after: 0)
            clock.advance(to: Self.at("2024-06-15T09:15:00Z"))
            try await Waiting.until("slow starts") { log.starts("slow") == 1 }
        }
        #expect(log.order == ["slow"])
        #expect(interrupter.count == 0)
        #expect(String(decoding: metrics.render(), as: UTF8.self)
            .contains(#"analytics_daemon_job_last_result{schedule="slow",outcome="completed"} 1.0"#))
    }

    @Test("after the grace period the job's statements are cancelled; the job ends as cancelled and the service stops")
    func shutdownGraceOver() async throws {
        struct StatementCancelled: Error {}
        let log = RunLog()
        let gate = Gate()
        let clock = ManualClock(Self.at("2024-06-15T09:05:00Z"))
        // Like pg_cancel_backend: the job's statement fails, the job returns its error.
        let interrupter = FakeInterrupter { gate.fail(StatementCancelled()) }
        let jobs = [try Self.job("slow", "*/15 * * * *", log: log, gate: gate)]
        let metrics = DaemonMetrics()
        try await Self.withSchedule(jobs, clock: clock, interrupter: interrupter, grace: .milliseconds(100), metrics: metrics) { _ in
            try await Self.settle(clock, after: 0)
            clock.advance(to: Self.at("2024-06-15T09:15:00Z"))
            try await Waiting.until("slow starts") { log.starts("slow") == 1 }
        }
        // At least once: the service cancels the statements again every second until the job
        // returns, and on a loaded machine the job may take longer than that to return.
        #expect(interrupter.count >= 1)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(text.contains(#"analytics_daemon_job_last_result{schedule="slow",outcome="cancelled"} 1.0"#), "\(text)")
        #expect(text.contains("analytics_daemon_lease_held 0.0"))
    }
}
