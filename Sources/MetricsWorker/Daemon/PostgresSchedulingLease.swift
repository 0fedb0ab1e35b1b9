import AnalyticsStore

/// The lease as a PostgreSQL session-level advisory lock (`pg_try_advisory_lock`), held on a
/// connection of its own for as long as this process schedules. When the process dies its
/// connection closes and the server releases the lock, so another daemon takes over at its next try.
///
/// Every `checkEvery` the holder runs `SELECT 1` on that connection (bounded by `checkEvery`): if
/// it fails the lock may be gone, the token says so, and the schedule stops starting jobs.
struct PostgresSchedulingLease: SchedulingLease {
    /// The advisory lock key (FNV-1a 64 of `daemon:schedule-lease`; job locks hash other texts).
    static let key = Int64(bitPattern: FNV1a.hash64("daemon:schedule-lease"))

    /// A pool of one connection, used for nothing else.
    let pool: PostgresPool
    let checkEvery: Duration
    var log = PhaseLog(job: "daemon")

    func whileHeld(_ body: (LeaseToken) async throws -> Void) async throws -> Bool {
        try await pool.withConnection { connection in
            let locked = try await connection.query("SELECT pg_try_advisory_lock($1) AS locked", [Self.key])[0].decode(Bool.self, "locked")
            guard locked else { return false }
            let token = LeaseToken()
            let checkEvery = self.checkEvery
            let log = self.log
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await Self.watch(connection, token: token, every: checkEvery, log: log) }
                    do {
                        try await body(token)
                    } catch {
                        group.cancelAll()
                        throw error
                    }
                    group.cancelAll()
                }
            } catch {
                await connection.releaseAdvisoryLockOrDiscard(Self.key)
                throw error
            }
            // Given up at once on the way out, so another daemon need not wait for this connection to close.
            await connection.releaseAdvisoryLockOrDiscard(Self.key)
            return true
        }
    }

    /// Checks the lease connection until cancelled or until a check fails.
    private static func watch(_ connection: PostgresConnection, token: LeaseToken, every interval: Duration, log: PhaseLog) async {
        while true {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let alive = await withTaskGroup(of: Bool?.self) { group in
                group.addTask { (try? await connection.query("SELECT 1 AS alive")) != nil }
                group.addTask {
                    // nil: the check took too long (or the watch is being cancelled).
                    try? await Task.sleep(for: interval)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard !Task.isCancelled else { return }
            if alive != true {
                token.lose()
                log.log("lease_lost", ["reason": alive == nil ? "the lease connection did not answer in time" : "the lease connection failed",
                                       "effect": "no new job is started; another daemon takes the lease"], level: "warning")
                return
            }
        }
    }
}
