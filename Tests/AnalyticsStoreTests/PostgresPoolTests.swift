import AnalyticsStore
import AnalyticsTestSupport
import Testing

@Suite("PostgreSQL pool and transactions")
struct PostgresPoolTests {
    @Test("50 concurrent tasks share a pool of 4 connections without deadlock")
    func fiftyTasksFourConnections() async throws {
        let db = try await TestDatabase.create(migrated: false, poolSize: 4, acquireTimeout: .seconds(30))
        defer { Task { await db.drop() } }
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
        let stats = db.pool.statistics
        #expect(stats.open <= 4)
        #expect(stats.inUse == 0)
        #expect(stats.waiting == 0)
    }

    @Test("a caller waits up to the acquire timeout, then gets a pool timeout error")
    func acquireTimeout() async throws {
        let db = try await TestDatabase.create(migrated: false, poolSize: 1, acquireTimeout: .milliseconds(200))
        defer { Task { await db.drop() } }
        try await db.pool.withConnection { holder in
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: PostgresError.self) {
                try await db.pool.query("SELECT 1")
            }
            #expect(error?.code == .poolTimeout)
            let waited = clock.now - start
            #expect(waited >= .milliseconds(190) && waited < .seconds(3))
            try await holder.query("SELECT 1")
        }
        // The pool recovers: the connection was returned.
        #expect(try await db.pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
    }

    @Test("a pooled connection killed on the server is detected and replaced")
    func brokenConnectionReplaced() async throws {
        let db = try await TestDatabase.create(migrated: false, poolSize: 1)
        defer { Task { await db.drop() } }
        let pid = try await db.pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
        let admin = try await TestDatabase.create(migrated: false, poolSize: 1)
        defer { Task { await admin.drop() } }
        try await admin.pool.query("SELECT pg_terminate_backend($1)", [pid])
        try await Task.sleep(for: .milliseconds(100))
        let newPID = try await db.pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
        #expect(newPID != pid)
    }

    @Test("a transaction commits when the body returns and rolls back when it throws")
    func transactions() async throws {
        let db = try await TestDatabase.create(migrated: false)
        defer { Task { await db.drop() } }
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

    @Test("a query after the PostgreSQL server restarted succeeds on a new connection")
    func reconnectAfterRestart() async throws {
        let server = try await LocalPostgres.start()
        defer { Task { try? await server.stop() } }
        let executor = BlockingExecutor(threads: 4)
        let pool = PostgresPool(configuration: try PostgresConfiguration(url: server.url), maximumConnections: 2,
                                acquireTimeout: .seconds(5), executor: executor)
        let before = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
        try await server.restart()
        let after = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
        #expect(after != before)
        // While the server is down, calls fail fast with a connection error, then recover.
        try await server.stop()
        let down = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(down?.isConnectionProblem == true)
        try await server.startAgain()
        #expect(try await pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
        pool.shutdown()
        try await executor.shutdown()
    }

    @Test("cancelling the task cancels the running statement on the server")
    func cancellation() async throws {
        let db = try await TestDatabase.create(migrated: false, poolSize: 1)
        defer { Task { await db.drop() } }
        // Open the connection first, so the cancellation lands while the statement runs.
        try await db.pool.query("SELECT 1")
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task { try await db.pool.query("SELECT pg_sleep(30)") }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        let error = #expect(throws: PostgresError.self) { try result.get() }
        #expect(error?.sqlState == "57014")
        #expect(clock.now - start < .seconds(10))
        #expect(try await db.pool.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
    }
}
