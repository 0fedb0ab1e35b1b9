import AnalyticsStore
import AnalyticsTestSupport
import Testing

/// Migration 0016: loan_schedule keyed by (loan_id, installment_number), without schedule_id.
@Suite("Installments keyed by loan and number")
struct LoanScheduleKeyTests {
    static func insertInstallment(_ loan: String, _ number: Int, on pool: PostgresPool) async throws {
        try await pool.query("""
            INSERT INTO loan_schedule (loan_id, installment_number, due_date, principal_due, interest_due, fee_due, total_due)
            VALUES ($1, $2, '2024-02-01', 100.00, 10.00, 0, 110.00)
            """, [loan, number])
    }

    @Test("the key is (loan_id, installment_number), also the replica identity: a repeated installment is refused, one of another loan is not")
    func key() async throws {
        try await TestDatabase.with { db in
            let key = try await db.pool.query("""
                SELECT string_agg(a.attname, ',' ORDER BY k.n) AS columns, bool_or(i.indisreplident) AS identity
                FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = 'loan_schedule'::regclass AND i.indisunique
                """)[0]
            #expect(try key.decode(String?.self, "columns") == "loan_id,installment_number")
            #expect(try key.decode(Bool?.self, "identity") == true)
            #expect(try await db.count("""
                SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'loan_schedule' AND column_name = 'schedule_id'
                """) == 0)
            // Its only index (the primary key's and idx_schedule_due_date are gone, with the sequence).
            #expect(try await db.pool.query("""
                SELECT string_agg(indexrelid::regclass::text, ',') AS names FROM pg_index WHERE indrelid = 'loan_schedule'::regclass
                """)[0].decode(String?.self, "names") == "unique_loan_installment")
            #expect(try await db.count("SELECT (to_regclass('loan_schedule_schedule_id_seq') IS NULL)::int AS n") == 1)
            #expect(try await db.count("SELECT (relreplident = 'i')::int AS n FROM pg_class WHERE oid = 'loan_schedule'::regclass") == 1)
            try await Self.insertInstallment("L1", 1, on: db.pool)
            try await Self.insertInstallment("L2", 1, on: db.pool)
            let error = await #expect(throws: PostgresError.self) { try await Self.insertInstallment("L1", 1, on: db.pool) }
            #expect(error?.sqlState == "23505")
            #expect(try await db.count("SELECT count(*)::int AS n FROM loan_schedule") == 2)
        }
    }

    @Test("upgrading a book from schema 15 keeps every installment")
    func upgradeKeepsInstallments() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            _ = try await MigrationRunner(migrations: migrations.filter { $0.version <= 15 }).run(on: db.pool)
            for (loan, number) in [("L1", 1), ("L1", 2), ("L2", 1)] { try await Self.insertInstallment(loan, number, on: db.pool) }
            let rows = "SELECT string_agg(loan_id || '#' || installment_number || '@' || due_date || '=' || total_due, ' ' ORDER BY loan_id, installment_number) AS r FROM loan_schedule"
            let before = try await db.pool.query(rows)[0].decode(String.self, "r")
            let report = try await MigrationRunner(migrations: migrations).run(on: db.pool)
            #expect(report.applied == migrations.filter { $0.version > 15 }.map(\.name))
            #expect(try await db.pool.query(rows)[0].decode(String.self, "r") == before)
            #expect(before == "L1#1@2024-02-01=110.00 L1#2@2024-02-01=110.00 L2#1@2024-02-01=110.00")
        }
    }

    @Test("upgrading while another session uses loan_schedule: the migration gives up after its lock timeout, rolled back whole, and applies once the table is free")
    func upgradeWaitsAtMostItsLockTimeout() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            _ = try await MigrationRunner(migrations: migrations.filter { $0.version <= 15 }).run(on: db.pool)
            let started = ContinuousClock.now
            // A reader of the table (a refresh's schedule stream) holds it for longer than the timeout.
            let error = try await db.pool.withTransaction { reader in
                try await reader.query("SELECT count(*) AS n FROM loan_schedule")
                return await #expect(throws: PostgresError.self) {
                    try await MigrationRunner(migrations: migrations).run(on: db.pool)
                }
            }
            let waited = ContinuousClock.now - started
            #expect(waited >= .seconds(9) && waited < .seconds(60), "waited \(waited)")
            #expect(error?.message.contains("0016_loan_schedule_key.sql failed and was rolled back") == true, "\(String(describing: error))")
            #expect(error?.sqlState == "55P03")
            // Nothing of 0016 stayed: the column, the index and the version are those of 15.
            #expect(try await db.count("SELECT max(version)::int AS n FROM schema_migrations") == 15)
            #expect(try await db.count("""
                SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'loan_schedule' AND column_name = 'schedule_id'
                """) == 1)
            #expect(try await db.count("SELECT (to_regclass('idx_schedule_due_date') IS NOT NULL)::int AS n") == 1)
            let report = try await MigrationRunner(migrations: migrations).run(on: db.pool)
            #expect(report.applied == migrations.filter { $0.version > 15 }.map(\.name))
        }
    }
}
