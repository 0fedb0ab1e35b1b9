import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Logging
@testable import MetricsWorker
import Testing

/// `sync-fineract` against a Fineract tenant schema (scripts/fineract/tenant-schema.sql) in a
/// database of its own, and the analytics database beside it, on the real test server.
@Suite("sync-fineract")
struct FineractSyncTests {
    static let date = CalendarDate(year: 2024, month: 6, day: 1) ?? CalendarDate(daysSinceEpoch: 19_875)

    @discardableResult
    static func sync(_ ours: TestDatabase, _ tenant: TestDatabase, full: Bool = false, lookback: Int = 600,
                     batch: Int = 4, reconcile: Bool = false, date: CalendarDate = date) async throws -> FineractSyncResult {
        var options = FineractSyncOptions()
        options.full = full
        options.lookbackSeconds = lookback
        options.batchSize = batch
        options.reconcile = reconcile
        let runner = JobRunner(pool: ours.pool, redis: nil, logger: .init(label: "test"))
        return try await SyncFineractCommand.syncJob(pool: ours.pool, tenant: tenant.pool, runner: runner, date: date, options: options)
    }

    static func withBook<R>(_ book: FineractBook, _ body: (TestDatabase, TestDatabase) async throws -> R) async throws -> R {
        try await TestDatabase.with(migrated: false) { tenant in
            try await book.load(into: tenant)
            return try await TestDatabase.with { ours in try await body(ours, tenant) }
        }
    }

    /// Every source row the sync wrote, compared as sorted text.
    static func fingerprint(_ db: TestDatabase) async throws -> [String] { try await IngestTests.fingerprint(db.pool) }

    static func transactions(_ tenant: TestDatabase) async throws -> [(id: Int64, loan: Int64, type: Int, date: String, principal: String, interest: String?, fee: String?)] {
        try await tenant.pool.query("""
            SELECT id, loan_id, transaction_type_enum, transaction_date::text AS d, trim_scale(principal_portion_derived)::text AS p,
                   trim_scale(interest_portion_derived)::text AS i, trim_scale(fee_charges_portion_derived)::text AS f
            FROM m_loan_transaction ORDER BY id
            """).map {
            (try $0.decode(Int64.self, "id"), try $0.decode(Int64.self, "loan_id"), try $0.decode(Int.self, "transaction_type_enum"),
             try $0.decode(String.self, "d"), try $0.decode(String.self, "p"), try $0.decode(String?.self, "i"), try $0.decode(String?.self, "f"))
        }
    }

    @Test("a full sync, then a full refresh, equal the same book sent as NDJSON through ingest")
    func fullSyncEqualsNDJSON() async throws {
        let book = FineractBook(loans: 11)
        try await Self.withBook(book) { ours, tenant in
            let result = try await Self.sync(ours, tenant)
            #expect(result.mode == "full")
            #expect(result.loansRead == 11)
            #expect(result.summary.rejected == 0)
            let synced = try await Self.fingerprint(ours)
            try await Self.sync(ours, tenant, full: true)
            #expect(try await Self.fingerprint(ours) == synced)
            let path = try IngestTests.write(book.ndjson(transactions: try await Self.transactions(tenant)))
            try await TestDatabase.with { reference in
                let summary = try await IngestCommand.ingest([(path, nil)], pool: reference.pool)
                #expect(summary.rejected == 0)
                #expect(try await Self.fingerprint(reference) == synced)
            }
        }
    }

    @Test("incremental syncs (repayment, backdated replay, user reversal, reschedule, write-off, officer reassignment, client moved) end as a fresh full sync")
    func incrementalEqualsFresh() async throws {
        let book = FineractBook(loans: 12)
        try await Self.withBook(book) { ours, tenant in
            try await Self.sync(ours, tenant)
            let t = tenant.pool
            let touch = "last_modified_on_utc = now()"
            // A repayment.
            try await book.insertTransaction(loan: 1_000, type: 2, date: book.disbursed(0) + 60, principal: "300", interest: "18", fee: "5", db: tenant)
            // A backdated repayment with Fineract's replay: the later repayment of loan 1001 is reversed and replaced.
            let old = try await t.query("SELECT id FROM m_loan_transaction WHERE loan_id = 1001 AND transaction_type_enum = 2")[0].decode(Int64.self, "id")
            let backdated = try await book.insertTransaction(loan: 1_001, type: 2, date: book.disbursed(1) + 20, principal: "100", interest: nil,
                                                             fee: nil, db: tenant, submitted: book.disbursed(1) + 40)
            try await t.query("UPDATE m_loan_transaction SET is_reversed = TRUE, reversed_on_date = $2, \(touch) WHERE id = $1",
                              [old, book.disbursed(1) + 40])
            let replacement = try await book.insertTransaction(loan: 1_001, type: 2, date: book.disbursed(1) + 30, principal: "200", interest: "18",
                                                               fee: "5", db: tenant, submitted: book.disbursed(1) + 40)
            try await t.query("""
                INSERT INTO m_loan_transaction_relation (from_loan_transaction_id, to_loan_transaction_id, relation_type_enum, created_by,
                    created_on_utc, last_modified_by, last_modified_on_utc) VALUES ($1, $2, 3, 1, now(), 1, now())
                """, [replacement, old])
            // A user's reversal.
            try await t.query("""
                UPDATE m_loan_transaction SET is_reversed = TRUE, reversed_on_date = '2024-03-01', manually_adjusted_or_reversed = TRUE, \(touch)
                WHERE loan_id = 1003 AND transaction_type_enum = 2
                """)
            // A reschedule: the schedule deleted and re-inserted (later dates, same principal).
            try await t.query("DELETE FROM m_loan_repayment_schedule WHERE loan_id = 1004")
            for n in 1...2 {
                try await t.query("""
                    INSERT INTO m_loan_repayment_schedule (loan_id, duedate, installment, principal_amount, interest_amount, completed_derived,
                        created_on_utc, last_modified_on_utc) VALUES (1004, $1, $2, 450, 20, FALSE, now(), now())
                    """, [book.disbursed(4) + 45 * n, n])
            }
            try await t.query("UPDATE m_loan SET expected_maturedon_date = $1, \(touch) WHERE id = 1004", [book.disbursed(4) + 90])
            // A write-off, an officer reassignment, a client moved to another office.
            try await t.query("UPDATE m_loan SET loan_status_id = 601, writtenoffon_date = '2024-05-01', closedon_date = '2024-05-01', \(touch) WHERE id = 1006")
            try await t.query("UPDATE m_loan SET loan_officer_id = 6, \(touch) WHERE id = 1007")
            try await t.query("UPDATE m_client SET office_id = 4, \(touch) WHERE id = 1008")

            let result = try await Self.sync(ours, tenant)
            #expect(result.mode == "incremental")
            #expect(result.loansRead == 7)
            #expect(result.summary.rejected == 0)
            try await TestDatabase.with { fresh in
                try await Self.sync(fresh, tenant)
                #expect(try await Self.fingerprint(ours) == Self.fingerprint(fresh))
            }
            let replay = try await ours.pool.query("SELECT repayment_id, is_reversed, payment_amount::text AS a FROM repayments WHERE loan_id = '1001' ORDER BY 1")
            #expect(try replay.map { try $0.decode(String.self, "repayment_id") } == [String(old), String(backdated)].sorted())
            // The replacement took the replaced row's id and is not a reversal; the user's reversal is.
            #expect(try await ours.count("SELECT count(*) AS n FROM repayments WHERE is_reversed") == 1)
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_accounts WHERE loan_id = '1008' AND branch = 'Kaduna'") == 1)
        }
    }

    @Test("a late commit inside the lookback is picked up; rows with null audit columns load")
    func lateCommitAndNullAudit() async throws {
        let book = FineractBook(loans: 3)
        try await Self.withBook(book) { ours, tenant in
            try await tenant.pool.query("UPDATE m_loan SET created_on_utc = NULL, last_modified_on_utc = NULL WHERE id = 1001")
            try await tenant.pool.query("UPDATE m_loan_transaction SET created_on_utc = NULL, last_modified_on_utc = NULL WHERE loan_id = 1001")
            try await Self.sync(ours, tenant)
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_accounts WHERE loan_id = '1001'") == 1)
            let watermark = try await ours.pool.query("SELECT watermark::text AS w FROM fineract_sync_state")[0].decode(String.self, "w")
            // Stamped 5 minutes before the watermark, committed after it.
            let late = try await book.insertTransaction(loan: 1_002, type: 2, date: book.disbursed(2) + 60, principal: "300", interest: nil, fee: nil,
                                                        db: tenant)
            try await tenant.pool.query("UPDATE m_loan_transaction SET last_modified_on_utc = $2::timestamptz - interval '5 minutes' WHERE id = $1",
                                        [late, watermark])
            let result = try await Self.sync(ours, tenant)
            #expect(result.loansRead == 1)
            #expect(try await ours.count("SELECT count(*) AS n FROM repayments WHERE repayment_id = $1", [String(late)]) == 1)
        }
    }

    @Test("a third decimal and a schedule that does not sum: the loan is in etl_rejects naming table, row and column; the rest loads")
    func rejects() async throws {
        let book = FineractBook(loans: 5)
        try await Self.withBook(book) { ours, tenant in
            let tx = try await tenant.pool.query("SELECT id FROM m_loan_transaction WHERE loan_id = 1001 AND transaction_type_enum = 2")[0]
                .decode(Int64.self, "id")
            try await tenant.pool.query("UPDATE m_loan_transaction SET interest_portion_derived = 18.005 WHERE id = $1", [tx])
            try await tenant.pool.query("UPDATE m_loan_repayment_schedule SET principal_amount = 250 WHERE loan_id = 1003 AND installment = 2")
            let result = try await Self.sync(ours, tenant)
            #expect(result.loansRejected == 2)
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_accounts") == 3)
            let reasons = try await ours.pool.query("SELECT entity_id, reasons::text AS r FROM etl_rejects WHERE source = 'fineract' ORDER BY entity_id")
            #expect(try reasons.map { try $0.decode(String.self, "entity_id") } == ["1001", "1003"])
            let first = try reasons[0].decode(String.self, "r"), second = try reasons[1].decode(String.self, "r")
            #expect(first.contains("m_loan_transaction row \(tx) column interest_portion_derived"))
            #expect(second.contains("m_loan_repayment_schedule row") && second.contains("column principal_amount"))
        }
    }

    @Test("a loan we hold whose disbursal was undone becomes Cancelled")
    func undoDisbursal() async throws {
        let book = FineractBook(loans: 3)
        try await Self.withBook(book) { ours, tenant in
            try await Self.sync(ours, tenant)
            try await tenant.pool.query("""
                UPDATE m_loan SET loan_status_id = 200, disbursedon_date = NULL, principal_disbursed_derived = 0, last_modified_on_utc = now()
                WHERE id = 1002
                """)
            try await tenant.pool.query("UPDATE m_loan_transaction SET is_reversed = TRUE, reversed_on_date = '2024-02-01', last_modified_on_utc = now() WHERE loan_id = 1002")
            try await Self.sync(ours, tenant)
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_accounts WHERE loan_id = '1002' AND status = 'Cancelled'") == 1)
        }
    }

    @Test("killed mid-run (progress committed with a chunk, the watermark not yet): the re-run resumes and ends with identical rows")
    func resumeAfterKill() async throws {
        let book = FineractBook(loans: 9)
        try await Self.withBook(book) { ours, tenant in
            // The state a kill leaves after the chunk holding loans up to 1004 committed.
            try await Self.sync(ours, tenant)
            let complete = try await Self.fingerprint(ours)
            try await TestDatabase.with { killed in
                try await Self.sync(killed, tenant)
                try await killed.pool.query("DELETE FROM repayments WHERE loan_id::bigint > 1004")
                try await killed.pool.query("DELETE FROM loan_schedule WHERE loan_id::bigint > 1004")
                try await killed.pool.query("DELETE FROM loan_accounts WHERE loan_id::bigint > 1004")
                try await killed.pool.query("""
                    UPDATE fineract_sync_state SET watermark = NULL, pending_watermark = now() - interval '1 minute', pending_after_loan = 1004,
                           pending_full = TRUE
                    """)
                let result = try await Self.sync(killed, tenant)
                #expect(result.resumed)
                #expect(result.loansRead == 4)
                #expect(try await Self.fingerprint(killed) == complete)
                #expect(try await killed.count("SELECT count(*) AS n FROM fineract_sync_state WHERE pending_watermark IS NULL AND watermark IS NOT NULL") == 1)
            }
        }
    }

    @Test("the daemon's sync-fineract entry runs the sync with the tenant's settings")
    func daemonEntry() async throws {
        let book = FineractBook(loans: 4)
        try await Self.withBook(book) { ours, tenant in
            let entry = try #require(ScheduledJob.defaults.first { $0.name == "sync-fineract" })
            let configuration = try #require(try FineractConfiguration(environment: ["FINERACT_DATABASE_URL": tenant.configuration.url]))
            let runner = JobRunner(pool: ours.pool, redis: nil, logger: .init(label: "test"))
            let context = DaemonContext(pool: ours.pool, redis: nil, runner: runner, metrics: DaemonMetrics(), logger: .init(label: "test"),
                                        options: MetricsOptions(), fineract: FineractTenant(configuration: configuration, pool: tenant.pool))
            let counts = try await entry.work(context, Self.date)
            #expect(counts.processed == 4 && counts.failed == 0)
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_accounts") == 4)
            #expect(try await ours.count("SELECT count(*) AS n FROM metric_calculation_log WHERE calculation_type = 'sync-fineract' AND status = 'Completed'") == 1)
            // Without a tenant the entry skips (exit 75 semantics), it never guesses one.
            let bare = DaemonContext(pool: ours.pool, redis: nil, runner: runner, metrics: DaemonMetrics(), logger: .init(label: "test"),
                                     options: MetricsOptions())
            await #expect(throws: JobSkipped.self) { _ = try await entry.work(bare, Self.date) }
        }
    }

    @Test("two syncs never overlap, also when their dates differ (a run that began before midnight excludes the next day's)")
    func lockAcrossMidnight() async throws {
        let book = FineractBook(loans: 3)
        try await Self.withBook(book) { ours, tenant in
            let nextDay = Self.date + 1
            let first = try await withThrowingTaskGroup(of: FineractSyncResult.self) { group in
                try await tenant.pool.withTransaction { tx in
                    // Holds the first sync inside its run (it waits for m_loan) with its lock taken.
                    try await tx.execute("LOCK TABLE m_loan IN ACCESS EXCLUSIVE MODE")
                    group.addTask { try await Self.sync(ours, tenant, date: Self.date) }
                    try await Waiting.until("the first sync waits on the tenant's m_loan") {
                        try await ours.count("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                                             [tenant.name]) == 1
                    }
                    await #expect(throws: JobSkipped.self) { try await Self.sync(ours, tenant, date: nextDay) }
                }
                return try #require(try await group.next())
            }
            #expect(first.loansRead == 3)
            #expect(try await ours.count("SELECT count(*) AS n FROM metric_calculation_log WHERE calculation_type = 'sync-fineract'") == 1)
            // Once the first is done the next day's runs.
            #expect(try await Self.sync(ours, tenant, date: nextDay).mode == "incremental")
        }
    }

    @Test("a 50-character phone (Fineract's mobile_no) loads through ingest and through the sync; 51 is rejected naming the field")
    func fiftyCharacterPhones() async throws {
        let phone = "+234 (0) 803 555 0101 ext. 4455 / alt 0805 555 012"
        #expect(phone.count == 50)
        let tables = [("officers", "officer_phone"), ("customers", "customer_phone"), ("loan_accounts", "customer_phone"),
                      ("loan_accounts", "officer_phone"), ("loans", "customer_phone"), ("loans", "officer_phone")]
        // Through ingest.
        try await TestDatabase.with { ours in
            let lines = [
                #"{"officer_id":"OFF1","officer_name":"Obi, Ada","officer_phone":"\#(phone)","region":"North","branch":"Kano","employment_status":"Active","has_float_gap":false}"#,
                #"{"customer_id":"C1","customer_name":"Client 1","customer_phone":"\#(phone)"}"#,
                #"{"loan_id":"L1","customer_id":"C1","customer_name":"Client 1","customer_phone":"\#(phone)","officer_id":"OFF1","officer_name":"Obi, Ada","officer_phone":"\#(phone)","region":"North","branch":"Kano","loan_amount":900.00,"disbursement_date":"2024-01-01","maturity_date":"2024-03-31","loan_term_days":90,"interest_rate":0.24,"fee_amount":0,"channel":"Direct","status":"Active"}"#,
                #"{"customer_id":"C2","customer_name":"Client 2","customer_phone":"\#(phone)9"}"#,
            ]
            let summary = try await IngestCommand.ingest([(try IngestTests.write(lines.joined(separator: "\n") + "\n"), nil)], pool: ours.pool)
            #expect(summary.rejected == 1)
            for (table, column) in tables {
                #expect(try await ours.count("SELECT count(*) AS n FROM \(table) WHERE \(column) = $1", [phone]) == 1, "\(table).\(column)")
            }
            let reasons = try await ours.pool.query("SELECT reasons::text AS r FROM etl_rejects")
            #expect(reasons.count == 1)
            #expect(try reasons.first?.decode(String.self, "r").contains("customer_phone") == true)
        }
        // Through the sync.
        // Loan 1001: client 1001, officer 6.
        try await Self.withBook(FineractBook(loans: 2)) { ours, tenant in
            try await tenant.pool.query("UPDATE m_staff SET mobile_no = $1 WHERE id = 6", [phone])
            try await tenant.pool.query("UPDATE m_client SET mobile_no = $1 WHERE id = 1001", [phone])
            let result = try await Self.sync(ours, tenant)
            #expect(result.summary.rejected == 0)
            for (table, column) in tables {
                #expect(try await ours.count("SELECT count(*) AS n FROM \(table) WHERE \(column) = $1", [phone]) == 1, "\(table).\(column)")
            }
        }
    }

    @Test("--reconcile: a loan from the tenant that it no longer has, or no longer shows as disbursed, becomes Cancelled; loans from elsewhere are left")
    func reconcile() async throws {
        let book = FineractBook(loans: 4)
        try await Self.withBook(book) { ours, tenant in
            try await Self.sync(ours, tenant)
            // A loan sent as NDJSON by another system, with an id that looks like Fineract's.
            let foreign = [
                #"{"customer_id":"C9","customer_name":"Other System"}"#,
                #"{"loan_id":"9999","customer_id":"C9","customer_name":"Other System","officer_id":"5","officer_name":"Obi, Ada","region":"North","branch":"Kano","loan_amount":500.00,"disbursement_date":"2024-01-05","maturity_date":"2024-04-04","loan_term_days":90,"interest_rate":0.2,"channel":"Direct","status":"Active"}"#,
            ]
            #expect(try await IngestCommand.ingest([(try IngestTests.write(foreign.joined(separator: "\n") + "\n"), nil)], pool: ours.pool).rejected == 0)
            let before = try await Self.fingerprint(ours)
            // Loan 1001 deleted from the tenant entirely (rows and all); 1003's disbursal undone.
            try await tenant.pool.query("DELETE FROM m_loan_transaction WHERE loan_id = 1001")
            try await tenant.pool.query("DELETE FROM m_loan_repayment_schedule WHERE loan_id = 1001")
            try await tenant.pool.query("DELETE FROM m_loan WHERE id = 1001")
            try await tenant.pool.query("UPDATE m_loan SET loan_status_id = 200, disbursedon_date = NULL, principal_disbursed_derived = 0 WHERE id = 1003")
            // Without --reconcile nothing notices (no audit column moved).
            #expect(try await Self.sync(ours, tenant).loansRead == 0)
            #expect(try await Self.fingerprint(ours) == before)

            let result = try await Self.sync(ours, tenant, reconcile: true)
            #expect(result.missingInTenant == 1)
            #expect(result.summary.rejected == 0)
            let statuses = try await ours.pool.query("SELECT loan_id, status FROM loan_accounts ORDER BY loan_id").map {
                "\(try $0.decode(String.self, "loan_id"))=\(try $0.decode(String.self, "status"))"
            }
            #expect(statuses == ["1000=Active", "1001=Cancelled", "1002=Active", "1003=Cancelled", "9999=Active"])
            // Only the status moved: the missing loan keeps its schedule, repayments and every other field.
            let after = try await Self.fingerprint(ours)
            let changed = Set(after).symmetricDifference(before).filter { !$0.contains("1003") }
            #expect(changed.count == 2 && changed.allSatisfy { $0.contains("1001") }, "\(changed)")
            #expect(try await ours.count("SELECT count(*) AS n FROM loan_schedule WHERE loan_id = '1001'") == 3)
            #expect(try await ours.count("SELECT count(*) AS n FROM repayments WHERE loan_id = '1001'") == 1)
            // Again: nothing left to reconcile.
            let again = try await Self.sync(ours, tenant, reconcile: true)
            #expect(again.missingInTenant == 0 && again.loansRead == 0)
            #expect(try await Self.fingerprint(ours) == after)
        }
    }
}
