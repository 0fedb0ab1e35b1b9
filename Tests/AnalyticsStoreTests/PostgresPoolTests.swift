import AnalyticsStore
import AnalyticsTestSupport
import Testing

@Suite("PostgreSQL pool and transactions")
struct PostgresPoolTests {
    /// Whether a backend other than the caller's runs a statement whose text contains `marker` on `db`
    /// (a database of the test's own, so no other test's statement matches).
    static func backendRuns(_ marker: String, on db: TestDatabase, via admin: TestDatabase) async throws -> Bool {
        try await admin.pool.query("""
            SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid() AND position($2 in query) > 0
            """, [db.name, marker])[0].decode(Int.self, "n") > 0
    }

    /// After concurrent use: no more connections than the pool's size, none leased, nobody waiting.
    static func expectSettled(_ pool: PostgresPool, openAtMost maximum: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let stats = pool.statistics
        #expect(stats.open <= maximum, sourceLocation: sourceLocation)
        #expect(stats.inUse == 0, sourceLocation: sourceLocation)
        #expect(stats.waiting == 0, sourceLocation: sourceLocation)
    }

    @Test("50 concurrent tasks share a pool of 4 connections without deadlock")
    func fiftyTasksFourConnections() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 4, acquireTimeout: .seconds(30)) { db in
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        try await db.pool.withConnection { connection in
                            // Hold the connection for a while so tasks must queue.
                            try await connection.query("SELECT pg_sleep(0.02)")
                            return try await connection.query("SELECT $1::int * 2 AS v", [i])[0].decode(Int.self, "v")
                        }
                    }
                }
                var all: [Int] = []
                for try await value in group { all.append(value) }
                return all.sorted()
            }
            #expect(results == (0..<50).map { $0 * 2 })
            Self.expectSettled(db.pool, openAtMost: 4)
        }
    }

    @Test("a caller waits for the acquire timeout, then gets a pool timeout error")
    func acquireTimeout() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 1, acquireTimeout: .milliseconds(200)) { db in
            try await db.pool.withConnection { holder in
                let clock = ContinuousClock()
                let start = clock.now
                let error = await #expect(throws: PostgresError.self) {
                    try await db.pool.query("SELECT 1")
                }
                #expect(error?.code == .poolTimeout)
                // Only the lower bound: the timer cannot fire early, however loaded the machine is.
                #expect(clock.now - start >= .milliseconds(200))
                try await holder.query("SELECT 1")
            }
            // The pool recovers: the connection was returned.
            #expect(try await db.pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
        }
    }

    @Test("a pooled connection killed on the server is detected and replaced")
    func brokenConnectionReplaced() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 1) { db in
            let pid = try await db.pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
            try await TestDatabase.with(migrated: false, poolSize: 1) { admin in
                try await admin.pool.query("SELECT pg_terminate_backend($1)", [pid])
                try await Waiting.until("backend \(pid) has exited") {
                    try await admin.pool.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1", [pid])[0]
                        .decode(Int.self, "n") == 0
                }
            }
            let newPID = try await db.pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
            #expect(newPID != pid)
        }
    }

    @Test("a transaction commits when the body returns and rolls back when it throws")
    func transactions() async throws {
        try await TestDatabase.with(migrated: false) { db in
            try await db.pool.query("CREATE TABLE t (v int)")
            _ = try await db.pool.withTransaction { tx in
                try await tx.query("INSERT INTO t VALUES ($1)", [1])
            }
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.pool.withTransaction { tx in
                    try await tx.query("INSERT INTO t VALUES ($1)", [2])
                    throw Boom()
                }
            }
            await #expect(throws: PostgresError.self) {
                try await db.pool.withTransaction { tx in
                    try await tx.query("INSERT INTO t VALUES ($1)", [3])
                    try await tx.query("INSERT INTO t VALUES ($1)", ["not a number"])
                }
            }
            let values = try await db.pool.query("SELECT v FROM t ORDER BY v").map { try $0.decode(Int.self, "v") }
            #expect(values == [1])
            #expect(db.pool.statistics.inUse == 0)
        }
    }

    @Test("a query after the PostgreSQL server restarted succeeds on a new connection")
    func reconnectAfterRestart() async throws {
        try await LocalPostgres.with { server in
            let executor = BlockingExecutor(threads: 4)
            let pool = PostgresPool(configuration: try PostgresConfiguration(url: server.url), maximumConnections: 2,
                                    acquireTimeout: .seconds(5), executor: executor)
            try await ServiceScope.run([executor, pool]) {
                let before = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
                try await server.restart()
                let after = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
                #expect(after != before)
                // While the server is down, calls fail with a connection error, then recover.
                try await server.stop()
                let down = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
                #expect(down?.isConnectionProblem == true)
                try await server.startAgain()
                #expect(try await pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
            }
        }
    }

    @Test("cancelling the task cancels the running statement on the server")
    func cancellation() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 1) { db in
            try await TestDatabase.with(migrated: false, poolSize: 1) { admin in
                let task = Task { try await db.pool.query("SELECT pg_sleep(600)") }
                // Cancel once the statement runs on the server, so the cancel request is what stops it.
                try await Waiting.until("the statement runs") { try await Self.backendRuns("pg_sleep(600)", on: db, via: admin) }
                task.cancel()
                let result = try await Waiting.returns("the cancelled query") { await task.result }
                let error = #expect(throws: PostgresError.self) { try result.get() }
                #expect(error?.sqlState == "57014")
                #expect(try await db.pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
            }
        }
    }

    @Test("pair leases take both connections at once: 8 pairs and 16 singles share a pool of 2 without a timeout")
    func pairsNeverHoldAndWait() async throws {
        // Taking one connection and then a second, two pairs in a pool of two would each hold one
        // and wait for the other's until the acquire timeout.
        try await TestDatabase.with(migrated: false, poolSize: 2, acquireTimeout: .seconds(20)) { db in
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        try await db.pool.withConnectionPair { first, second in
                            let a = try await first.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.01)")[0].decode(Int.self, "pid")
                            let b = try await second.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
                            #expect(a != b, "two connections, not one twice")
                            return i
                        }
                    }
                }
                for i in 8..<24 {
                    group.addTask {
                        try await db.pool.withConnection { connection in
                            try await connection.query("SELECT pg_sleep(0.005)")
                            return i
                        }
                    }
                }
                var all: [Int] = []
                for try await value in group { all.append(value) }
                return all.sorted()
            }
            #expect(results == Array(0..<24))
            Self.expectSettled(db.pool, openAtMost: 2)
        }
    }

    @Test("a pair waits while one connection is leased, and gets both when it is returned; a pool of one refuses pairs at once")
    func pairWaitsForBoth() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 2, acquireTimeout: .milliseconds(300)) { db in
            try await db.pool.withConnection { holder in
                let error = await #expect(throws: PostgresError.self) {
                    try await db.pool.withConnectionPair { _, _ in }
                }
                #expect(error?.code == .poolTimeout)
                // The waiter gave its place up: nothing is leased but the holder's connection.
                #expect(db.pool.statistics.inUse == 1)
                #expect(db.pool.statistics.waiting == 0)
                try await holder.query("SELECT 1")
            }
            let pids = try await db.pool.withConnectionPair { a, b in
                [try await a.query("SELECT pg_backend_pid() AS p")[0].decode(Int.self, "p"),
                 try await b.query("SELECT pg_backend_pid() AS p")[0].decode(Int.self, "p")]
            }
            #expect(Set(pids).count == 2)
        }
        try await TestDatabase.with(migrated: false, poolSize: 1, acquireTimeout: .seconds(20)) { db in
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: PostgresError.self) { try await db.pool.withConnectionPair { _, _ in } }
            #expect(error?.code == .poolTimeout)
            #expect(clock.now - start < .seconds(10), "refused at once, not after the acquire timeout")
        }
    }

    @Test("session set-up runs once per connection, and again on a connection that replaced a broken one")
    func sessionSetUpOnce() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 1) { db in
            let setUp = "CREATE TEMP TABLE IF NOT EXISTS once_marker (v int); INSERT INTO once_marker VALUES (1)"
            for _ in 0..<3 {
                try await db.pool.withConnection { try await $0.prepareSession("marker", setUp) }
            }
            #expect(try await db.pool.query("SELECT count(*)::int AS n FROM once_marker")[0].decode(Int.self, "n") == 1)
            // Inside a transaction that rolls back, the set-up is undone, so it is not remembered.
            await #expect(throws: PostgresError.self) {
                try await db.pool.withTransaction { tx in
                    try await tx.prepareSession("rolled-back", "CREATE TEMP TABLE rolled_back (v int)")
                    try await tx.query("SELECT 1/0")
                }
            }
            try await db.pool.withConnection { try await $0.prepareSession("rolled-back", "CREATE TEMP TABLE rolled_back (v int)") }
            #expect(try await db.pool.query("SELECT count(*)::int AS n FROM rolled_back")[0].decode(Int.self, "n") == 0)
            let pid = try await db.pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
            try await TestDatabase.with(migrated: false, poolSize: 1) { admin in
                try await admin.pool.query("SELECT pg_terminate_backend($1)", [pid])
                try await Waiting.until("backend \(pid) has exited") {
                    try await admin.pool.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1", [pid])[0]
                        .decode(Int.self, "n") == 0
                }
            }
            try await db.pool.withConnection { try await $0.prepareSession("marker", setUp) }
            #expect(try await db.pool.query("SELECT count(*)::int AS n FROM once_marker")[0].decode(Int.self, "n") == 1)
        }
    }
}
