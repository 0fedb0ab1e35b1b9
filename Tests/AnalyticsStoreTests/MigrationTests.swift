import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Testing

@Suite("Migrations")
struct MigrationTests {
    static let tables = [
        "officers", "customers", "team_members", "loan_accounts", "loan_sources", "loan_states", "repayments", "loan_schedule",
        "officer_metrics_daily", "branch_metrics_daily", "dpd_transitions", "par15_snapshots",
        "metric_calculation_log", "audit_tracking", "audit_log", "etl_rejects", "schema_migrations",
    ]

    static func schemaFingerprint(_ pool: PostgresPool) async throws -> [String] {
        try await pool.query("""
            SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS c
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1
            """).map { try $0.decode(String.self, "c") }
    }

    @Test("applies every file, creates the tables, and a second run changes nothing")
    func idempotent() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            let first = try await MigrationRunner(migrations: migrations).run(on: db.pool)
            #expect(first.applied == migrations.map(\.name))
            #expect(first.version == Schema.expectedVersion)
            let tables = Set(try await db.pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").map { try $0.decode(String.self, "tablename") })
            for table in Self.tables { #expect(tables.contains(table), "missing table \(table)") }
            // `loans` is the view over loan_accounts and loan_states (0004).
            #expect(try await db.pool.query("SELECT count(*) AS n FROM pg_views WHERE viewname = 'loans'")[0].decode(Int.self, "n") == 1)
            let fingerprint = try await Self.schemaFingerprint(db.pool)
            let applied = try await db.pool.query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
                .map { "\(try $0.decode(Int.self, "version"))@\(try $0.decode(Date.self, "applied_at").timeIntervalSince1970)" }
            let second = try await MigrationRunner(migrations: migrations).run(on: db.pool)
            #expect(second.applied.isEmpty)
            #expect(try await Self.schemaFingerprint(db.pool) == fingerprint)
            let appliedAgain = try await db.pool.query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
                .map { "\(try $0.decode(Int.self, "version"))@\(try $0.decode(Date.self, "applied_at").timeIntervalSince1970)" }
            #expect(appliedAgain == applied)
            #expect(try await MigrationRunner.currentVersion(on: db.pool) == Schema.expectedVersion)
        }
    }

    @Test("Schema.expectedVersion is the newest file in migrations/")
    func expectedVersionMatchesFiles() throws {
        let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
        #expect(migrations.last?.version == Schema.expectedVersion)
        #expect(migrations.map(\.version) == Array(1...migrations.count))
    }

    @Test("a broken migration rolls back whole and names its file; the ones before it stay")
    func brokenMigrationRollsBack() async throws {
        try await TestDatabase.with(migrated: false) { db in
            var migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            let broken = Migration(version: (migrations.last?.version ?? 0) + 1, name: "9999_broken.sql", sql: """
                CREATE TABLE half_done (id int);
                INSERT INTO half_done VALUES (1);
                ALTER TABLE loan_accounts ADD COLUMN half_done_flag boolean;
                SELECT no_such_function();
                """)
            migrations.append(broken)
            let error = await #expect(throws: PostgresError.self) {
                try await MigrationRunner(migrations: migrations).run(on: db.pool)
            }
            #expect(error?.message.contains("9999_broken.sql") == true)
            #expect(error?.sqlState == "42883")
            let exists = try await db.pool.query("SELECT to_regclass('half_done') IS NOT NULL AS e")[0].decode(Bool.self, "e")
            #expect(!exists)
            let column = try await db.pool.query("""
                SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'loan_accounts' AND column_name = 'half_done_flag'
                """)[0].decode(Int.self, "n")
            #expect(column == 0)
            #expect(try await MigrationRunner.currentVersion(on: db.pool) == Schema.expectedVersion)
        }
    }

    @Test("two runners started at once apply each file exactly once")
    func concurrentRunners() async throws {
        try await TestDatabase.with(migrated: false, poolSize: 4) { db in
            let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            async let a = MigrationRunner(migrations: migrations).run(on: db.pool)
            async let b = MigrationRunner(migrations: migrations).run(on: db.pool)
            let reports = try await [a, b]
            #expect(reports.map(\.applied.count).sorted() == [0, migrations.count])
            let rows = try await db.pool.query("SELECT count(*) AS n FROM schema_migrations")[0].decode(Int.self, "n")
            #expect(rows == migrations.count)
        }
    }

    @Test("an applied migration whose file changed is refused")
    func changedFileRefused() async throws {
        try await TestDatabase.with(migrated: true) { db in
            var migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            migrations[0] = Migration(version: migrations[0].version, name: migrations[0].name, sql: migrations[0].sql + "\n-- edited")
            let error = await #expect(throws: PostgresError.self) { try await MigrationRunner(migrations: migrations).run(on: db.pool) }
            #expect(error?.message.contains("changed after it was applied") == true)
        }
    }

    @Test("audit_log is append-only")
    func auditLogAppendOnly() async throws {
        try await TestDatabase.with { db in
            try await db.pool.query("INSERT INTO officers (officer_id, officer_name, region, branch) VALUES ($1, $2, $3, $4)", ["O1", "A", "R", "B"])
            try await db.pool.query("INSERT INTO audit_log (officer_id, actor, action) VALUES ($1, $2, $3)", ["O1", "u", "status"])
            let update = await #expect(throws: PostgresError.self) { try await db.pool.query("UPDATE audit_log SET actor = $1", ["x"]) }
            #expect(update?.message.contains("append-only") == true)
            await #expect(throws: PostgresError.self) { try await db.pool.query("DELETE FROM audit_log") }
            #expect(try await db.pool.query("SELECT count(*) AS n FROM audit_log")[0].decode(Int.self, "n") == 1)
        }
    }
}
