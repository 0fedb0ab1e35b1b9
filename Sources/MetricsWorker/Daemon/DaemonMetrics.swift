import Foundation
import Prometheus
import Synchronization

/// The daemon's Prometheus series, served as text on its `/metrics`.
///
/// Names (all `analytics_daemon_*`): `queue_depth`, `oldest_change_age_seconds` (the changes not
/// yet applied), `batch_duration_seconds`, `batch_loans`, `batch_officers` (histograms),
/// `batches_total{outcome}` (`applied`, `full_refresh`, `failed`), `changes_total`,
/// `last_batch_timestamp_seconds`; per scheduled job `job_last_run_timestamp_seconds{schedule}`,
/// `job_last_duration_seconds{schedule}`, `job_last_result{schedule,outcome}` (1 for the outcome of
/// the last run, 0 for the others), `job_runs_total{schedule,outcome}`; and `lease_held` (1 while
/// this process runs the schedule). Thread-safe.
final class DaemonMetrics: Sendable {
    /// The registry `/metrics` renders.
    let registry = PrometheusCollectorRegistry()
    private let queueDepth: Gauge
    private let oldestChangeAge: Gauge
    private let batchSeconds: ValueHistogram
    private let batchLoans: ValueHistogram
    private let batchOfficers: ValueHistogram
    private let changes: Counter
    private let lastBatch: Gauge
    private let leaseHeld: Gauge
    private let leaseHeldNow = Atomic<Bool>(false)
    private let batchCounters = Mutex<[String: Counter]>([:])
    private let jobSeries = Mutex<[String: JobSeries]>([:])

    /// The outcomes a scheduled job's run can have.
    static let jobOutcomes = ["completed", "skipped", "failed", "cancelled"]
    /// The outcomes of a change batch.
    static let batchOutcomes = ["applied", "full_refresh", "failed"]

    private struct JobSeries {
        var lastRun: Gauge
        var lastDuration: Gauge
        var result: [String: Gauge]
        var runs: [String: Counter]
    }

    init() {
        queueDepth = registry.makeGauge(descriptor: Self.name("queue_depth", "",
                                                              "Changes recorded by ingests and not yet applied by the daemon"))
        oldestChangeAge = registry.makeGauge(descriptor: Self.name("oldest_change_age", "seconds",
                                                                   "Age of the oldest change not yet applied (0 when none)"))
        batchSeconds = registry.makeValueHistogram(
            descriptor: Self.name("batch_duration", "seconds", "Time to apply one batch of changes"), labels: [],
            buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120])
        batchLoans = registry.makeValueHistogram(
            descriptor: Self.name("batch_loans", "", "Loans recomputed per batch"), labels: [],
            buckets: [1, 5, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 1_000_000])
        batchOfficers = registry.makeValueHistogram(
            descriptor: Self.name("batch_officers", "", "Officers recomputed per batch"), labels: [],
            buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 5_000])
        changes = registry.makeCounter(descriptor: Self.name("changes", "total", "Changes applied (or covered by a full refresh)"))
        lastBatch = registry.makeGauge(descriptor: Self.name("last_batch_timestamp", "seconds",
                                                             "Unix time the last batch ended (0 before the first)"))
        leaseHeld = registry.makeGauge(descriptor: Self.name("lease_held", "",
                                                             "1 while this process holds the scheduling lease and runs the schedule"))
        for outcome in Self.batchOutcomes { _ = batchCounter(outcome) }
    }

    /// `analytics_daemon_<metric>[_<unit>]`.
    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "analytics_daemon", metricName: metric, unitName: unit, helpText: help)
    }

    /// The change queue: how many changes wait, and the age of the oldest (0, 0 when empty).
    func setQueue(depth: Int, oldestAgeSeconds: Double) {
        queueDepth.set(Double(depth))
        oldestChangeAge.set(oldestAgeSeconds)
    }

    /// One batch of changes: how many changes, loans and officers it covered, how long it took, and
    /// its outcome (`applied`, `full_refresh` or `failed`).
    func recordBatch(changes count: Int, loans: Int, officers: Int, seconds: Double, outcome: String) {
        batchSeconds.record(seconds)
        batchLoans.record(Double(loans))
        batchOfficers.record(Double(officers))
        if outcome != "failed" { changes.increment(by: Int64(count)) }
        batchCounter(outcome).increment()
        lastBatch.set(Date().timeIntervalSince1970)
    }

    /// One run of the scheduled job `name`: its outcome (`completed`, `skipped`, `failed`,
    /// `cancelled`), duration and end time.
    func recordJob(name: String, outcome: String, seconds: Double, finishedAt: Date) {
        jobSeries.withLock { all in
            var series = all[name] ?? makeJobSeries(name)
            series.lastRun.set(finishedAt.timeIntervalSince1970)
            series.lastDuration.set(seconds)
            if series.result[outcome] == nil {
                series.result[outcome] = registry.makeGauge(descriptor: Self.lastResult, labels: [("schedule", name), ("outcome", outcome)])
                series.runs[outcome] = registry.makeCounter(descriptor: Self.runs, labels: [("schedule", name), ("outcome", outcome)])
            }
            for (key, gauge) in series.result { gauge.set(key == outcome ? 1.0 : 0.0) }
            series.runs[outcome]?.increment()
            all[name] = series
        }
    }

    /// Whether this process holds the scheduling lease.
    func setLeaseHeld(_ held: Bool) {
        leaseHeldNow.store(held, ordering: .releasing)
        leaseHeld.set(held ? 1.0 : 0.0)
    }

    /// True while this process holds the scheduling lease (`/ready` reports it).
    var isLeaseHeld: Bool { leaseHeldNow.load(ordering: .acquiring) }

    /// The Prometheus text exposition of every series.
    func render() -> [UInt8] {
        registry.emitToBuffer()
    }

    private static var lastResult: MetricNameDescriptor { name("job_last_result", "", "1 for the outcome of the scheduled job's last run, 0 for the others") }
    private static var runs: MetricNameDescriptor { name("job_runs", "total", "Runs of the scheduled job by outcome") }

    private func makeJobSeries(_ name: String) -> JobSeries {
        var result: [String: Gauge] = [:]
        var runs: [String: Counter] = [:]
        for outcome in Self.jobOutcomes {
            result[outcome] = registry.makeGauge(descriptor: Self.lastResult, labels: [("schedule", name), ("outcome", outcome)])
            runs[outcome] = registry.makeCounter(descriptor: Self.runs, labels: [("schedule", name), ("outcome", outcome)])
        }
        return JobSeries(
            lastRun: registry.makeGauge(descriptor: Self.name("job_last_run_timestamp", "seconds", "Unix time the scheduled job's last run ended"),
                                        labels: [("schedule", name)]),
            lastDuration: registry.makeGauge(descriptor: Self.name("job_last_duration", "seconds", "Duration of the scheduled job's last run"),
                                             labels: [("schedule", name)]),
            result: result, runs: runs)
    }

    private func batchCounter(_ outcome: String) -> Counter {
        batchCounters.withLock { map in
            if let existing = map[outcome] { return existing }
            let made = registry.makeCounter(descriptor: Self.name("batches", "total", "Change batches by outcome"),
                                            labels: [("outcome", outcome)])
            map[outcome] = made
            return made
        }
    }
}
