import AnalyticsCore
import AnalyticsStore
import ArgumentParser
import Foundation

/// What one metric-job command is asked to do, as parsed from its options.
struct JobRequest: Sendable {
    /// The command's name, used in the summary and failure lines.
    var name: String
    /// The as-of date D; nil means today in `ANALYTICS_TIMEZONE`.
    var asOf: CalendarDate?
    /// The partition (`.all` for the jobs without `--partition`).
    var partition: Partition = .all
    /// True for the jobs that write the loan states: they refuse a date after tomorrow, since the
    /// states keep the latest date (a mistyped year would hold them there, every later run skipped).
    var writesLoanStates = false
}

/// Runs a metric job the way every job command does: set up, run, print one summary line, map
/// failures to the documented exit codes (75 skipped, 69 database unreachable, 1 failed).
enum JobCommand {
    static func execute(_ request: JobRequest, _ job: @Sendable (JobContext) async throws -> JobCounts) async throws {
        let name = request.name
        try await WorkerRuntime.with(label: "metrics-worker.\(name)") { runtime in
            let date: CalendarDate
            do {
                date = try AsOfOption.date(request.asOf, timeZone: runtime.configuration.timeZone)
            } catch let error as ValidationError {
                FileHandle.standardError.write(Data("metrics-worker: \(error.message)\n".utf8))
                throw ExitCode.usage
            }
            if request.writesLoanStates {
                do throws(ValidationError) {
                    try AsOfOption.refuseFutureStatesDate(date, timeZone: runtime.configuration.timeZone)
                } catch {
                    FileHandle.standardError.write(Data("metrics-worker: \(error.message)\n".utf8))
                    throw ExitCode.usage
                }
            }
            let partition = request.partition
            let context = JobContext(pool: runtime.pool, runner: runtime.runner, asOf: date, partition: partition,
                                     options: runtime.configuration.metricsOptions)
            do {
                let counts = try await job(context)
                let what = counts.summary ?? "processed \(counts.processed), updated \(counts.updated)"
                print("\(name) \(date)\(partition.isWhole ? "" : " partition \(partition)"): \(what)")
            } catch let skipped as JobSkipped {
                FileHandle.standardError.write(Data("metrics-worker: \(skipped.message)\n".utf8))
                throw ExitCode.tryLater
            } catch {
                throw runtime.fail(error, doing: name)
            }
        }
    }
}
