import AnalyticsStore
import AnalyticsTestSupport
import Testing

@Suite("PostgreSQL LISTEN/NOTIFY listener")
struct PostgresListenerTests {
    @Test("a NOTIFY committed on another connection wakes the wait; none: the wait times out; uncommitted: nothing yet")
    func wakesOnCommit() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 3) { db in
            let listener = PostgresListener(configuration: db.configuration, channel: "test_changes", executor: db.executor)
            try await listener.listen()
            #expect(try await listener.wait(timeout: .milliseconds(100)) == false)
            try await db.pool.withConnection { connection in
                try await connection.withTransaction { tx in
                    try await tx.query("SELECT pg_notify('test_changes', '')")
                    // Delivered at commit, not before.
                    #expect(try await listener.wait(timeout: .milliseconds(200)) == false)
                }
            }
            #expect(try await listener.wait(timeout: .seconds(5)) == true)
            // Several notifications are consumed by one wait.
            try await db.pool.query("SELECT pg_notify('test_changes', 'a')")
            try await db.pool.query("SELECT pg_notify('test_changes', 'b')")
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await listener.wait(timeout: .seconds(5)) == true)
            #expect(try await listener.wait(timeout: .milliseconds(100)) == false)
            // Another channel does not wake it.
            try await db.pool.query("SELECT pg_notify('other_channel', '')")
            #expect(try await listener.wait(timeout: .milliseconds(200)) == false)
            await listener.close()
        }
    }

    @Test("the server ends the listening session: the wait throws connectionLost, listen() again works")
    func reconnects() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 3) { db in
            let listener = PostgresListener(configuration: db.configuration, channel: "test_changes", executor: db.executor,
                                            applicationName: "listener-under-test")
            try await listener.listen()
            try await db.pool.query("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'listener-under-test' AND datname = $1
                """, [db.name])
            await #expect(throws: PostgresError.self) {
                // The termination arrives as data on the socket, then EOF.
                for _ in 0..<20 { _ = try await listener.wait(timeout: .milliseconds(250)) }
            }
            #expect(listener.isListening == false)
            try await listener.listen()
            try await db.pool.query("SELECT pg_notify('test_changes', '')")
            #expect(try await listener.wait(timeout: .seconds(5)) == true)
            await listener.close()
        }
    }
}
