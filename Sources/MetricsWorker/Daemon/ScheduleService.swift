import AnalyticsCore
import Foundation
import ServiceLifecycle

/// Runs the schedule while this daemon holds the scheduling lease; without it, stands by and tries
/// again every `retry`.
///
/// Jobs run one at a time, through the same functions and `JobRunner` as the commands (locks,
/// `metric_calculation_log`, cache invalidation), for the business date (`DaemonContext.today()`)
/// when they start. A skipped job (lock held elsewhere, prerequisites incomplete) or a failed one is
/// logged and recorded on `/metrics`, and the schedule goes on.
///
/// **Missed fire times.** On taking the lease (start-up, or taking over from a daemon that died) an
/// entry whose latest fire time of today (local midnight until now) has no Completed run for the
/// business date started since then runs at once: a daemon that was down at 02:00 does the day's
/// full refresh when it starts. Fire times of earlier days are not made up (their date has passed: backfill those with
/// `full-refresh --as-of`).
///
/// **Shutdown.** On graceful shutdown no new job starts; a running one may finish within `grace`.
/// After that its statements are cancelled on the server (it then fails as on any database error:
/// log row Failed, lock released), and if it still has not returned 10 s later its task is cancelled
/// and its Running log rows are marked Failed here.
struct ScheduleService: Service {
    let context: DaemonContext
    let jobs: [ScheduledJob]
    let lease: any SchedulingLease
    let history: any ScheduleHistory
    let interrupter: any JobInterrupter
    /// How often to try for the lease while another daemon holds it; also the longest the schedule
    /// sleeps before looking at its lease again.
    let retry: Duration
    /// How long a running job may go on after graceful shutdown begins.
    let grace: Duration
    /// After the grace period, how long to keep cancelling the job's statements before cancelling its task.
    var interruptFor: Duration = .seconds(10)
    var log = PhaseLog(job: "daemon")

    func run() async throws {
        var lastProblem: String?
        var standingBy = false
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let held = try await lease.whileHeld { token in try await schedule(token) }
                lastProblem = nil
                if held {
                    standingBy = false
                } else if !standingBy {
                    standingBy = true
                    log.log("lease_held_elsewhere", ["effect": "another daemon runs the schedule; this one tries again every \(Int(retry.seconds)) s"])
                }
            } catch is CancellationError {
                return
            } catch {
                let problem = String(describing: error)
                if problem != lastProblem {
                    log.log("lease_unavailable", ["error": problem, "effect": "retrying every \(Int(retry.seconds)) s"], level: "warning")
                    lastProblem = problem
                }
                standingBy = false
            }
            context.metrics.setLeaseHeld(false)
            let retry = self.retry
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: retry) }
        }
    }

    /// Schedules until shutdown, cancellation, or the loss of the lease.
    private func schedule(_ token: LeaseToken) async throws {
        let clock = context.clock
        context.metrics.setLeaseHeld(true)
        defer { context.metrics.setLeaseHeld(false) }
        log.log("lease_acquired", ["schedule": jobs.map { "\($0.name)=\($0.cron)" }.joined(separator: ", "),
                                   "as_of": context.asOf.map { "\($0)" } ?? "today in \(context.timeZone.identifier)"])
        var plan = JobPlan(jobs: jobs, now: clock.now(), zone: context.timeZone)
        await catchUp(&plan)
        while token.isHeld, !Task.isShuttingDownGracefully {
            try Task.checkCancellation()
            let now = clock.now()
            let due = plan.due(at: now)
            if due.isEmpty {
                let wake = min(plan.nextWake ?? .distantFuture, now.addingTimeInterval(retry.seconds))
                try? await cancelWhenGracefulShutdown { try await clock.sleep(until: wake) }
                continue
            }
            for index in due {
                guard token.isHeld, !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
                await runJob(plan.entries[index].job)
                plan.ran(index, finishedAt: clock.now())
            }
        }
        log.log("lease_released", ["reason": token.isHeld ? "shutting down" : "the lease was lost"])
    }

    /// Makes due the entries whose latest fire time today has no completed run since.
    private func catchUp(_ plan: inout JobPlan) async {
        let zone = context.timeZone
        let now = context.clock.now()
        let dayStart = WallClockMinute(date: WallClockMinute(now, in: zone).date, hour: 0, minute: 0).firstInstant(in: zone)
        let date = context.today()
        for (index, entry) in plan.entries.enumerated() {
            guard let missed = entry.job.cron.lastFire(from: dayStart, through: now, in: zone) else { continue }
            do {
                guard try await !history.completedRun(of: entry.job.completionLogType, date: date, since: missed) else { continue }
                plan.makeDue(index, at: now)
                log.log("missed_run", ["schedule": entry.job.name, "fire_time": missed.formatted(.iso8601),
                                       "effect": "no completed run for \(date) since: it runs now"])
            } catch {
                log.log("missed_run_check_failed", ["schedule": entry.job.name, "error": String(describing: error),
                                                    "effect": "it runs at its next fire time"], level: "warning")
            }
        }
    }
}
