import AnalyticsCore
import AnalyticsStore
import Foundation
import Logging

/// What a job reports when it completes.
struct JobCounts: Sendable, Equatable {
    var processed = 0
    var updated = 0
    var failed = 0
    /// What the run did, in words a person reads (the command's result line), e.g. `70 loans
    /// refreshed, 57 with a changed state`; nil prints the bare counts.
    var summary: String?

    /// The same counts with `summary`.
    func described(_ summary: String) -> JobCounts {
        var counts = self
        counts.summary = summary
        return counts
    }
}

/// A job that did not run and should be tried later (exit 75): its lock is held by another copy,
/// or its prerequisites for D are incomplete.
struct JobSkipped: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs one job under the rules every job follows (ARCHITECTURE.md "Job safety"):
/// a PostgreSQL advisory lock on (job, date, partition) held for the whole run; a
/// `metric_calculation_log` row Running, then Completed with counts and duration, or Failed with
/// the error; cache invalidation after the data has committed (Redis down is logged, not fatal).
struct JobRunner: Sendable {
    let pool: PostgresPool
    let redis: RedisClient?
    let logger: Logger
    /// The API's read replica, when it is another server: invalidation waits until it has
    /// replayed the job's commit, so no API replica refills the cache with the rows just replaced.
    var replica: PostgresPool?

    /// One run in progress: lets the job record Completed inside its own writing transaction.
    struct Run: Sendable {
        let logID: Int64
        let started: ContinuousClock.Instant

        /// Marks the run Completed; call it in the transaction that writes the job's data, so the
        /// data and the log row commit together.
        func complete(_ counts: JobCounts, in tx: PostgresConnection) async throws {
            let elapsed = ContinuousClock.now - started
            let seconds = elapsed.seconds
            try await tx.execute("""
                UPDATE metric_calculation_log SET status = 'Completed', end_time = now(), duration_seconds = $2,
                       records_processed = $3, records_updated = $4, records_failed = $5, error_message = NULL
                WHERE log_id = $1
                """, [logID, String(format: "%.3f", seconds), counts.processed, counts.updated, counts.failed])
        }
    }

    /// The advisory lock that orders the jobs and the daemon's incremental updates: every job run
    /// holds it shared for its whole run (jobs run beside each other as before), an incremental
    /// update takes it exclusively and only when free (`pg_try_advisory_lock`, never queued behind
    /// a job). So no job that read the source before an ingest committed writes its rows after the
    /// daemon applied that ingest: the daemon applies it once the job is done.
    static let writersLockKey = Int64(bitPattern: FNV1a.hash64("analytics:metric-writers"))

    /// The advisory lock key of (job, date, partition).
    static func lockKey(job: String, date: CalendarDate, partition: Partition) -> Int64 {
        Int64(bitPattern: FNV1a.hash64("job:\(job):\(date):\(partition)"))
    }

    /// The advisory lock key of a job that is one whatever the date (`sync-fineract`: it follows a
    /// source, not a business date, so two copies must never overlap, also across midnight).
    static func lockKey(job: String) -> Int64 {
        Int64(bitPattern: FNV1a.hash64("job:\(job)"))
    }

    /// Runs `body` as job `name` for `date` and `partition`. `body` must call `run.complete` in its
    /// writing transaction; if it returns without doing so, the run is completed afterwards.
    /// `lockedPerDate` false takes the job's one lock (``lockKey(job:)``) instead of the lock of
    /// (job, date, partition): no two runs overlap whatever dates they were given.
    func run(_ name: String, date: CalendarDate, partition: Partition, invalidatesCache: Bool, lockedPerDate: Bool = true,
             _ body: (Run) async throws -> JobCounts) async throws -> JobCounts {
        let log = PhaseLog(job: name)
        return try await pool.withConnection { lockConnection in
            let key = lockedPerDate ? Self.lockKey(job: name, date: date, partition: partition) : Self.lockKey(job: name)
            let locked = try await lockConnection.query("SELECT pg_try_advisory_lock($1) AS locked", [key])[0].decode(Bool.self, "locked")
            guard locked else {
                let what = lockedPerDate ? "\(name) for \(date) partition \(partition)" : name
                throw JobSkipped(message: "\(what) is already running in another process; skipped (try later)")
            }
            do {
                try await lockConnection.query("SELECT pg_advisory_lock_shared($1)", [Self.writersLockKey])
                let counts = try await runLocked(name, date: date, partition: partition, invalidatesCache: invalidatesCache, log: log, body)
                try await lockConnection.query("SELECT pg_advisory_unlock_shared($1)", [Self.writersLockKey])
                try await lockConnection.query("SELECT pg_advisory_unlock($1)", [key])
                return counts
            } catch {
                await lockConnection.releaseAdvisoryLockOrDiscard(Self.writersLockKey, shared: true)
                await lockConnection.releaseAdvisoryLockOrDiscard(key)
                throw error
            }
        }
    }

    private func runLocked(_ name: String, date: CalendarDate, partition: Partition, invalidatesCache: Bool, log: PhaseLog,
                           _ body: (Run) async throws -> JobCounts) async throws -> JobCounts {
        let logID = try await pool.query("""
            INSERT INTO metric_calculation_log (calculation_type, calculation_date, partition_key, status)
            VALUES ($1, $2, $3, 'Running') RETURNING log_id
            """, [name, date, partition.description])[0].decode(Int64.self, "log_id")
        let run = Run(logID: logID, started: .now)
        log.log("start", ["date": date.description, "partition": partition.description])
        let counts: JobCounts
        do {
            counts = try await body(run)
            // Completes the run if the body did not (a no-op when it did).
            try await pool.withConnection { connection in
                let status = try await connection.query("SELECT status FROM metric_calculation_log WHERE log_id = $1", [logID])
                if try status.first?.decode(String.self, "status") == "Running" {
                    try await run.complete(counts, in: connection)
                }
            }
        } catch {
            let message = (error as? PostgresError)?.message ?? String(describing: error)
            await markFailed(logID: logID, message: message, log: log)
            // A step that found its own job already running elsewhere (a full refresh whose
            // refresh_loans a scheduled run holds) is retried later: a warning, not an error.
            log.log("failed", ["date": date.description, "partition": partition.description, "error": message],
                    level: error is JobSkipped ? "warning" : "error")
            throw error
        }
        log.log("completed", ["date": date.description, "partition": partition.description,
                              "processed": counts.processed, "updated": counts.updated, "failed": counts.failed])
        if invalidatesCache { await invalidate(log: log) }
        return counts
    }

    /// Records the run as Failed. When the database itself was the failure (restarting, say), the
    /// pool reconnects: try for up to 15 seconds before giving up on the log row (the run stays
    /// Running there, and the error is in the job's own log line either way).
    private func markFailed(logID: Int64, message: String, log: PhaseLog) async {
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        // A cancelled task cannot reach the database any more (every call throws at once): say so
        // instead of retrying for 15 s. (The daemon cancels a job only at shutdown.)
        guard !Task.isCancelled else {
            log.log("failed_not_recorded", ["log_id": Int(logID), "error": "the run was cancelled"], level: "error")
            return
        }
        while true {
            do {
                try await pool.query("""
                    UPDATE metric_calculation_log SET status = 'Failed', end_time = now(), error_message = $2,
                           duration_seconds = extract(epoch FROM now() - start_time)
                    WHERE log_id = $1
                    """, [logID, message])
                return
            } catch {
                guard ContinuousClock.now < deadline else {
                    log.log("failed_not_recorded", ["log_id": Int(logID), "error": String(describing: error)], level: "error")
                    return
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Bumps the cache generation; Redis being down is logged and the entries age out by TTL.
    func invalidate(log: PhaseLog) async {
        guard let redis else { return }
        await waitForReplica(log: log)
        do {
            let generation = try await CacheNamespace.invalidateAll(redis: redis)
            log.log("cache_invalidated", ["generation": Int(generation)])
            do {
                let dropped = try await CacheNamespace.dropEntries(except: generation, redis: redis)
                log.log("old_cache_entries_deleted", ["generation": Int(generation), "deleted": dropped])
            } catch {
                log.log("old_cache_entries_not_deleted", ["error": String(describing: error),
                                                          "effect": "they age out by TTL"], level: "warning")
            }
        } catch {
            log.log("cache_invalidation_failed", ["error": String(describing: error),
                                                  "effect": "cached entries age out by TTL"], level: "warning")
        }
    }

    /// Waits (at most 30 s) until the read replica has replayed the primary's current WAL position.
    func waitForReplica(log: PhaseLog) async {
        guard let replica else { return }
        do {
            // The insert position, not pg_current_wal_lsn() (the write position): with
            // synchronous_commit off the job's commit record may not be written yet, and a replica
            // at the write position would not have it.
            let lsn = try await pool.query("SELECT pg_current_wal_insert_lsn()::text AS lsn")[0].decode(String.self, "lsn")
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while ContinuousClock.now < deadline {
                let caughtUp = try await replica.query(
                    "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS ok", [lsn])[0].decode(Bool.self, "ok")
                if caughtUp { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            log.log("replica_lagging", ["effect": "invalidating anyway; entries refilled from the replica age out by TTL"], level: "warning")
        } catch {
            log.log("replica_check_failed", ["error": String(describing: error)], level: "warning")
        }
    }
}
