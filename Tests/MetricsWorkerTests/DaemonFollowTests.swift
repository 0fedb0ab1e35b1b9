import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Glibc
import Logging
@testable import MetricsWorker
import Testing

/// `metrics-worker daemon` following committed ingests as a real process: an ingest by another
/// process wakes it (NOTIFY), it applies the marks, and the rows equal a full refresh from
/// scratch; killed with marks pending, nothing is lost: the next daemon applies them.
@Suite("Daemon follows ingests")
struct DaemonFollowTests {
    static func pending(_ db: TestDatabase) async throws -> Int {
        try await db.pool.query("SELECT count(*) AS n FROM live_changes")[0].decode(Int.self, "n")
    }

    @Test("an ingest by another process reaches the rows within seconds, exactly; /metrics counts the batch")
    func followsIngests() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 21, asOf: date)
        var files = [try LiveBook.write(book.base(officers: 8, loans: 60), name: "base.ndjson")]
        try await TestDatabase.with(poolSize: 6) { db in
            _ = try await IngestCommand.ingest([(files[0], nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(LiveUpdatePropertyTests.context(db, date))
            let environment = DaemonProcessTests.environment(db)
            try await DaemonProcessTests.withDaemon(["--as-of", "2024-10-17", "--no-schedule"], environment) { daemon, port in
                // The marks of the initial load are applied first.
                try await Waiting.until("the initial marks are applied", timeout: .seconds(60)) { try await Self.pending(db) == 0 }
                for round in 1...3 {
                    let file = try LiveBook.write(book.changes(8), name: "change-\(round).ndjson")
                    files.append(file)
                    try await FixtureDatabase.runWorker(["ingest", file], database: db)
                    try await Waiting.until("round \(round) applied", timeout: .seconds(30)) { try await Self.pending(db) == 0 }
                }
                let live = try await LiveUpdatePropertyTests.snapshot(db.pool, date: date)
                let problems = LiveUpdatePropertyTests.differences(live, try await LiveUpdatePropertyTests.fromScratch(files, date: date))
                #expect(problems.isEmpty, "\(problems.prefix(5))")
                let metrics = try await DaemonProcessTests.get(port, "/metrics")
                #expect(metrics.status == 200)
                #expect(metrics.body.contains("analytics_daemon_batches_total{outcome=\"applied\"}"), "\(metrics.body.prefix(2000))")
                #expect(metrics.body.contains("analytics_daemon_queue_depth 0"), "\(metrics.body.prefix(2000))")
                #expect(!metrics.body.contains("analytics_daemon_batches_total{outcome=\"applied\"} 0"))
                _ = daemon
            }
        }
    }

    @Test("killed (SIGKILL) with marks pending: nothing is lost, the next daemon applies them")
    func killedDaemonLosesNothing() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 23, asOf: date)
        var files = [try LiveBook.write(book.base(officers: 6, loans: 40), name: "base.ndjson")]
        try await TestDatabase.with(poolSize: 6) { db in
            _ = try await IngestCommand.ingest([(files[0], nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(LiveUpdatePropertyTests.context(db, date))
            _ = try await LiveUpdate.applyPending(LiveUpdatePropertyTests.context(db, date))
            let environment = DaemonProcessTests.environment(db)
            try await db.pool.withConnection { job in
                // A job holds the writers' lock: the daemon can only wait.
                try await job.query("SELECT pg_advisory_lock_shared($1)", [JobRunner.writersLockKey])
                try await DaemonProcessTests.withDaemon(["--as-of", "2024-10-17", "--no-schedule"], environment) { daemon, _ in
                    let file = try LiveBook.write(book.changes(10), name: "change.ndjson")
                    files.append(file)
                    try await FixtureDatabase.runWorker(["ingest", file], database: db)
                    try await Task.sleep(for: .seconds(1))
                    daemon.send(SIGKILL)
                    _ = try await daemon.waitForExit(timeout: .seconds(10))
                }
                #expect(try await Self.pending(db) > 0)
                try await job.query("SELECT pg_advisory_unlock_shared($1)", [JobRunner.writersLockKey])
            }
            try await DaemonProcessTests.withDaemon(["--as-of", "2024-10-17", "--no-schedule"], environment) { _, _ in
                try await Waiting.until("the pending marks are applied", timeout: .seconds(30)) { try await Self.pending(db) == 0 }
            }
            let problems = LiveUpdatePropertyTests.differences(try await LiveUpdatePropertyTests.snapshot(db.pool, date: date),
                                                               try await LiveUpdatePropertyTests.fromScratch(files, date: date))
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }

    @Test("under a stream of ingests, batches start at least DAEMON_BATCH_INTERVAL_MS apart, and the rows end exact")
    func batchInterval() async throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        var book = LiveBook(seed: 29, asOf: date)
        var files = [try LiveBook.write(book.base(officers: 6, loans: 40), name: "base.ndjson")]
        try await TestDatabase.with(poolSize: 6) { db in
            _ = try await IngestCommand.ingest([(files[0], nil)], pool: db.pool)
            _ = try await MetricJobs.fullRefresh(LiveUpdatePropertyTests.context(db, date))
            _ = try await LiveUpdate.applyPending(LiveUpdatePropertyTests.context(db, date))
            let environment = DaemonProcessTests.environment(db, ["DAEMON_BATCH_INTERVAL_MS": "2000"])
            try await DaemonProcessTests.withDaemon(["--as-of", "2024-10-17", "--no-schedule"], environment) { daemon, _ in
                // Ingests back to back, each committing while the previous batch may still be due.
                for round in 1...4 {
                    let file = try LiveBook.write(book.changes(4), name: "stream-\(round).ndjson")
                    files.append(file)
                    _ = try await IngestCommand.ingest([(file, nil)], pool: db.pool)
                    try await Task.sleep(for: .milliseconds(300))
                }
                try await Waiting.until("the stream is applied", timeout: .seconds(60)) { try await Self.pending(db) == 0 }
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                // A batch is logged when it ends, with its duration (`total_ms`, from when it began
                // waiting for a connection): its start is the one less the other. The end of a
                // batch says nothing of the next one's start (a batch slowed by a loaded machine
                // brings its end closer to the next batch's end).
                let starts = try daemon.jsonLines.filter { $0["message"] as? String == "applied" }.map { line in
                    let end = try #require((line["timestamp"] as? String).flatMap { formatter.date(from: $0) }, "\(line)")
                    let total = try #require((line["metadata"] as? [String: Any])?["total_ms"] as? Int, "\(line)")
                    return end.addingTimeInterval(-Double(total) / 1000)
                }
                #expect(starts.count >= 2, "\(daemon.output.suffix(2000))")
                // 2 s apart; 0.1 s for the log line's own latency and the milliseconds' rounding.
                for (earlier, later) in zip(starts, starts.dropFirst()) {
                    #expect(later.timeIntervalSince(earlier) >= 1.9, "batches started \(later.timeIntervalSince(earlier)) s apart")
                }
            }
            let problems = LiveUpdatePropertyTests.differences(try await LiveUpdatePropertyTests.snapshot(db.pool, date: date),
                                                               try await LiveUpdatePropertyTests.fromScratch(files, date: date))
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }
}
