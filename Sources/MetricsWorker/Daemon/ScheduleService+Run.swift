import AnalyticsCore
import AnalyticsStore
import Foundation
import ServiceLifecycle

extension ScheduleService {
    /// How a job's task ended, or what its shutdown timer decided.
    private enum Finish: Sendable {
        case job(Result<JobCounts, any Error>)
        /// The timer ended without a verdict (the job finished first).
        case timerIdle
        /// The grace period and the statement cancels are over: cancel the job's task.
        case giveUp
    }

    /// Runs `job` for today's business date, logs and records the outcome; never throws.
    func runJob(_ job: ScheduledJob) async {
        let date = context.today()
        let startedAt = context.clock.now()
        let started = ContinuousClock.now
        log.log("job_start", ["schedule": job.name, "date": date.description])
        let context = self.context
        let grace = self.grace
        let interrupter = self.interrupter
        let interruptFor = self.interruptFor
        let log = self.log
        var interrupted = false
        var result: Result<JobCounts, any Error> = .failure(CancellationError())
        await withTaskGroup(of: Finish.self) { group in
            group.addTask {
                do {
                    return .job(.success(try await job.work(context, date)))
                } catch {
                    return .job(.failure(error))
                }
            }
            group.addTask {
                await Self.shutdownTimer(grace: grace, interruptFor: interruptFor, interrupter: interrupter, schedule: job.name, log: log)
            }
            for await finish in group {
                switch finish {
                case .job(let outcome):
                    result = outcome
                    group.cancelAll()
                case .timerIdle:
                    continue
                case .giveUp:
                    interrupted = true
                    group.cancelAll()
                    continue
                }
                break
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        let outcome: String
        var fields: [String: any Sendable] = ["schedule": job.name, "date": date.description, "seconds": (seconds * 1000).rounded() / 1000]
        switch result {
        case .success(let counts):
            outcome = "completed"
            fields["result"] = counts.summary ?? "processed \(counts.processed), updated \(counts.updated)"
        case .failure(let skipped as JobSkipped):
            outcome = "skipped"
            fields["reason"] = skipped.message
        case .failure(let error):
            outcome = interrupted || Task.isShuttingDownGracefully || Task.isCancelled ? "cancelled" : "failed"
            fields["error"] = (error as? PostgresError)?.message ?? String(describing: error)
        }
        if interrupted {
            // The job's task was cancelled: JobRunner could not record its end. Its lock is still
            // held by this process (its connection closes with the pool), so these rows are its own.
            let reason = "cancelled: the daemon shut down before the job finished; the next run does it again"
            if let marked = try? await history.markInterrupted(job.logTypes, date: date, since: startedAt.addingTimeInterval(-2),
                                                               reason: reason), marked > 0 {
                fields["log_rows_marked_failed"] = marked
            }
        }
        log.log("job_\(outcome)", fields, level: outcome == "failed" ? "error" : outcome == "completed" ? "info" : "warning")
        context.metrics.recordJob(name: job.name, outcome: outcome, seconds: seconds, finishedAt: context.clock.now())
    }

    /// Waits for graceful shutdown, then the grace period, then cancels the job's statements every
    /// second for `interruptFor`; `.giveUp` if the job has still not returned, `.timerIdle` when
    /// cancelled first (the job returned).
    private static func shutdownTimer(grace: Duration, interruptFor: Duration, interrupter: any JobInterrupter, schedule: String,
                                      log: PhaseLog) async -> Finish {
        do {
            try await gracefulShutdown()
        } catch {
            return .timerIdle
        }
        log.log("job_finishing", ["schedule": schedule, "effect": "shutting down: the running job has \(Int(grace.seconds)) s to finish"])
        try? await Task.sleep(for: grace)
        guard !Task.isCancelled else { return .timerIdle }
        var cancelled = await interrupter.interruptJobs()
        log.log("job_interrupted", ["schedule": schedule, "statements_cancelled": cancelled,
                                    "effect": "the grace period is over: the job's statements are cancelled"], level: "warning")
        let deadline = ContinuousClock.now + interruptFor
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.seconds(1), deadline - ContinuousClock.now))
            guard !Task.isCancelled else { return .timerIdle }
            cancelled += await interrupter.interruptJobs()
        }
        log.log("job_task_cancelled", ["schedule": schedule, "statements_cancelled": cancelled,
                                       "effect": "the job did not return after its statements were cancelled: its task is cancelled"],
                level: "warning")
        return .giveUp
    }
}
