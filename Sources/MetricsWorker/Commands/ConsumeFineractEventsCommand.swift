import AnalyticsCore
import AnalyticsStore
import ArgumentParser
import FineractEvents
import Foundation
import UnixSignals

/// `metrics-worker consume-fineract-events`: applies Fineract's external events from the broker
/// (docs/fineract-events.md "The consumer").
struct ConsumeFineractEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume-fineract-events",
        abstract: "Apply Apache Fineract's external events from ActiveMQ (FINERACT_EVENTS_URL) through the ingest path.",
        discussion: """
            Reads the queue FINERACT_EVENTS_QUEUE (default fineract-events) on the broker FINERACT_EVENTS_URL \
            (stomp://host:port; FINERACT_EVENTS_USER and FINERACT_EVENTS_PASSWORD when it needs a login) and applies each \
            message before acknowledging it. Runs until SIGTERM, or with --until-idle until the queue has been quiet that \
            long. Offices come from the last sync-fineract (FINERACT_REGION_LEVEL, FINERACT_CHANNEL as there). Exit status \
            65 when a message or record was parked in etl_rejects (metrics-worker rejects --source fineract-events).
            """)

    @Option(name: .long, help: ArgumentHelp("Return once no message arrived for this many seconds (catch-up runs).", valueName: "SECONDS"))
    var untilIdle: Double?

    func validate() throws {
        if let untilIdle, !(untilIdle > 0 && untilIdle <= 86_400) {
            throw ValidationError("--until-idle must be a number of seconds from 0 (exclusive) to 86400, not \(untilIdle)")
        }
    }

    func run() async throws {
        let idle = untilIdle.map { Duration.milliseconds(Int64($0 * 1_000)) }
        let totals = try await WorkerRuntime.with(label: "metrics-worker.consume-fineract-events") { runtime in
            guard let settings = runtime.configuration.fineractEvents else {
                FileHandle.standardError.write(Data("metrics-worker: consume-fineract-events needs FINERACT_EVENTS_URL (stomp://host:port of the broker Fineract publishes to)\n".utf8))
                throw ExitCode.usage
            }
            do {
                return try await Self.consume(runtime: runtime, settings: settings, idle: idle)
            } catch {
                throw runtime.fail(error, doing: "consume-fineract-events")
            }
        }
        print(totals.line)
        if totals.parked > 0 || totals.rejected > 0 { throw ExitCode.dataRejected }
    }

    /// One run: a `metric_calculation_log` row, the consumer until idle or SIGTERM/SIGINT.
    static func consume(runtime: WorkerRuntime, settings: FineractEventsConfiguration,
                        idle: Duration?) async throws -> FineractEventStats.Totals {
        let stats = FineractEventStats()
        let consumer = FineractEventConsumer(configuration: settings, pool: runtime.pool, reader: try FineractEventReader.fineract(),
                                             idleTimeout: idle, stats: stats, logger: runtime.logger)
        let date = try AsOfOption.today(timeZone: runtime.configuration.timeZone)
        let log = try await FineractEventRunLog.start(date: date, on: runtime.pool)
        let phases = PhaseLog(job: "consume-fineract-events")
        phases.log("start", ["queue": settings.queue, "until_idle_seconds": idle.map { "\($0)" } ?? "off"])
        do {
            // SIGTERM/SIGINT: finish the message in hand, acknowledge it, disconnect.
            let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals {
                        consumer.stop()
                        return
                    }
                }
                _ = try await consumer.consume()
                group.cancelAll()
            }
        } catch {
            await log.fail(error, totals: stats.totals, on: runtime.pool)
            throw error
        }
        let totals = stats.totals
        try await log.complete(totals, on: runtime.pool)
        phases.log("completed", ["consumed": totals.consumed, "applied": totals.applied, "duplicates": totals.duplicates,
                                 "ignored": totals.ignoredTotal, "parked": totals.parked])
        return totals
    }
}
