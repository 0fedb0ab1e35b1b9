import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Testing

/// `loan_sources` (migration 0015): every loan's version, kept by the triggers of whatever writes
/// the source tables, not only by the ingest code.
@Suite("Loan versions (loan_sources)")
struct LoanSourcesTests {
    static func insertLoan(_ id: String, officer: String, branch: String = "B1", on pool: PostgresPool) async throws {
        try await pool.query("""
            INSERT INTO loan_accounts (loan_id, customer_id, customer_name, officer_id, officer_name, region, branch,
                                       loan_amount, disbursement_date, maturity_date, loan_term_days, channel, status)
            VALUES ($1, 'C1', 'Customer', $2, 'Officer', 'R1', $3, 1000.00, '2024-01-01', '2024-06-30', 181, 'Branch', 'Active')
            """, [id, officer, branch])
    }

    static func seedPeople(on pool: PostgresPool) async throws {
        for officer in ["O1", "O2"] {
            try await pool.query("INSERT INTO officers (officer_id, officer_name, region, branch) VALUES ($1, 'Officer', 'R1', 'B1')", [officer])
        }
        try await pool.query("INSERT INTO customers (customer_id, customer_name) VALUES ('C1', 'Customer')")
    }

    static func version(_ id: String, on pool: PostgresPool) async throws -> String? {
        try await pool.query("SELECT source_changed_at::text AS v FROM loan_sources WHERE loan_id = $1", [id]).first?.decode(String.self, "v")
    }

    /// The marks as `loan_id/officer_id/previous_branch` strings, in order, then deleted.
    static func takeMarks(on pool: PostgresPool) async throws -> [String] {
        let marks = try await pool.query("SELECT loan_id, officer_id, previous_branch FROM live_changes ORDER BY change_id").map {
            [try $0.decode(String?.self, "loan_id"), try $0.decode(String?.self, "officer_id"),
             try $0.decode(String?.self, "previous_branch")].map { $0 ?? "-" }.joined(separator: "/")
        }
        try await pool.query("DELETE FROM live_changes")
        return marks
    }

    @Test("a loan written by hand gets its version and its mark; a change of its row moves the version and marks it, with the officer and branch it left")
    func writtenByHand() async throws {
        try await TestDatabase.with { db in
            try await Self.seedPeople(on: db.pool)
            _ = try await Self.takeMarks(on: db.pool)
            try await Self.insertLoan("L1", officer: "O1", on: db.pool)
            let inserted = try #require(try await Self.version("L1", on: db.pool))
            #expect(try await Self.takeMarks(on: db.pool) == ["L1/-/-"])

            try await db.pool.query("UPDATE loan_accounts SET loan_amount = 1200.00 WHERE loan_id = 'L1'")
            let changed = try #require(try await Self.version("L1", on: db.pool))
            #expect(changed > inserted)
            #expect(try await Self.takeMarks(on: db.pool) == ["L1/-/-"])

            try await db.pool.query("UPDATE loan_accounts SET officer_id = 'O2', branch = 'B2' WHERE loan_id = 'L1'")
            #expect(try await Self.version("L1", on: db.pool) ?? "" > changed)
            #expect(Set(try await Self.takeMarks(on: db.pool)) == ["L1/-/-", "L1/O1/B1"])

            // The loans view reads the version from loan_sources.
            let viewed = try await db.pool.query("SELECT source_changed_at::text AS v FROM loans WHERE loan_id = 'L1'")[0].decode(String.self, "v")
            #expect(viewed == (try await Self.version("L1", on: db.pool)))
        }
    }

    @Test("a repayment moved to another loan moves the version of the loan it left, and marks it")
    func repaymentMoved() async throws {
        try await TestDatabase.with { db in
            try await Self.seedPeople(on: db.pool)
            try await Self.insertLoan("L1", officer: "O1", on: db.pool)
            try await Self.insertLoan("L2", officer: "O2", on: db.pool)
            try await db.pool.query("""
                INSERT INTO repayments (repayment_id, loan_id, payment_date, payment_amount, principal_paid)
                VALUES ('P1', 'L1', '2024-02-01', 100.00, 100.00)
                """)
            let before = try #require(try await Self.version("L1", on: db.pool))
            let other = try #require(try await Self.version("L2", on: db.pool))
            _ = try await Self.takeMarks(on: db.pool)
            try await db.pool.query("UPDATE repayments SET loan_id = 'L2' WHERE repayment_id = 'P1'")
            #expect(try await Self.version("L1", on: db.pool) ?? "" > before)
            #expect(try await Self.version("L2", on: db.pool) == other, "the trigger moves only the loan left; the writer moves the new one")
            #expect(try await Self.takeMarks(on: db.pool) == ["L1/-/-"])
        }
    }

    @Test("a loan deleted by hand and sent again takes its old version row over, moved")
    func deletedAndSentAgain() async throws {
        try await TestDatabase.with { db in
            try await Self.seedPeople(on: db.pool)
            try await Self.insertLoan("L1", officer: "O1", on: db.pool)
            let first = try #require(try await Self.version("L1", on: db.pool))
            try await db.pool.query("DELETE FROM loan_accounts WHERE loan_id = 'L1'")
            try await Self.insertLoan("L1", officer: "O1", on: db.pool)
            #expect(try await Self.version("L1", on: db.pool) ?? "" > first)
            #expect(try await db.count("SELECT count(*)::int AS n FROM loan_sources") == 1)
        }
    }

    @Test("upgrading a book from schema 14 carries every loan's version over unchanged")
    func upgradeCarriesVersions() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let migrations = try Migration.load(from: TestEnvironment.migrationsDirectory)
            let (before, after) = (migrations.filter { $0.version <= 14 }, migrations)
            _ = try await MigrationRunner(migrations: before).run(on: db.pool)
            try await Self.seedPeople(on: db.pool)
            for (id, stamp) in [("L1", "2024-03-01 10:00:00+00"), ("L2", "2024-03-02 11:30:00.123456+00")] {
                try await Self.insertLoan(id, officer: "O1", on: db.pool)
                try await db.pool.query("UPDATE loan_accounts SET source_changed_at = $1::timestamptz WHERE loan_id = $2", [stamp, id])
            }
            let report = try await MigrationRunner(migrations: after).run(on: db.pool)
            #expect(report.applied == migrations.filter { $0.version > 14 }.map(\.name))
            #expect(try await Self.version("L1", on: db.pool) == "2024-03-01 10:00:00+00")
            #expect(try await Self.version("L2", on: db.pool) == "2024-03-02 11:30:00.123456+00")
            let column = try await db.count("""
                SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'loan_accounts' AND column_name = 'source_changed_at'
                """)
            #expect(column == 0)
        }
    }
}
