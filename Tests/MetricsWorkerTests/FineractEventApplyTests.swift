import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import FineractEvents
import Foundation
@testable import MetricsWorker
import Synchronization
import Testing

/// The consumer's handler against the real test PostgreSQL (no broker): messages applied through
/// the ingest path with their idempotency key, snapshot order, replay chains and parking; and the
/// events of a Fineract book converging with the pull of the same book.
@Suite("consume-fineract-events: applying messages")
struct FineractEventApplyTests {
    static func handler(_ db: TestDatabase) throws -> FineractEventHandler {
        FineractEventHandler(pool: db.pool, reader: try FineractEventReader.fineract(),
                             offices: FineractOfficeCache(pool: db.pool, regionLevel: 1, maxAge: .zero), channel: .direct)
    }

    /// A message as Fineract sends a loan's events: each content one event (a bulk when several).
    static func message(_ id: Int64, _ contents: [FineractEventContent], key: String? = nil) -> FineractEventMessage {
        FineractEventMessage(id: id, type: contents.count > 1 ? "BulkBusinessEvent" : "LoanDisbursalBusinessEvent", dataschema: "x",
                             idempotencyKey: key ?? "key-\(id)", createdAt: "", businessDate: "2024-06-01", tenantID: "default",
                             events: contents.map { .success(FineractEvent(type: "LoanDisbursalBusinessEvent", dataschema: "x", content: $0)) })
    }

    /// What the events of a tenant's loan say: the loan without the master data's phones (the
    /// events carry names only), then each transaction (a replacement as the adjustment of the one it replays).
    static func events(of bundle: FineractLoanBundle) -> [FineractEventContent] {
        var row = bundle.loan
        row.clientMobile = nil
        row.officerMobile = nil
        var contents: [FineractEventContent] = [.loan(row, schedule: bundle.schedule)]
        let byID = Dictionary(uniqueKeysWithValues: bundle.transactions.map { ($0.id, $0) })
        for transaction in bundle.transactions.sorted(by: { $0.id < $1.id }) {
            let replays = bundle.replayed.filter { $0.from == transaction.id }.map(\.to)
            if let target = replays.min(), let old = byID[target] {
                contents.append(.adjustment(loanID: row.id, old: old, oldReplays: [], new: transaction, newReplays: replays))
            } else if transaction.isReversed && transaction.manuallyAdjustedOrReversed {
                contents.append(.adjustment(loanID: row.id, old: transaction, oldReplays: [], new: nil, newReplays: []))
            } else {
                contents.append(.transaction(loanID: row.id, transaction, replays: []))
            }
        }
        return contents
    }

    static func bundles(_ tenant: TestDatabase) async throws -> (offices: [FineractOffice], bundles: [FineractLoanBundle]) {
        try await tenant.pool.withConnection { connection in
            let reader = FineractTenantReader(connection: connection)
            let ids = try await connection.query("SELECT id FROM m_loan ORDER BY id").map { try $0.decode(Int64.self, "id") }
            return (try await reader.offices(), try await reader.bundles(ids))
        }
    }

    /// The loans and repayments as stored, phones left out (master data the pull brings).
    static func loanRows(_ db: TestDatabase) async throws -> [String] {
        var lines = try await db.pool.query("""
            SELECT (to_jsonb(t) - 'created_at' - 'updated_at' - 'source_changed_at' - 'customer_phone' - 'officer_phone')::text AS r
            FROM loan_accounts t
            """).map { try $0.decode(String.self, "r") }
        for table in ["repayments", "loan_schedule"] {
            lines += try await db.pool.query("""
                SELECT '\(table)' || (to_jsonb(t) - 'created_at' - 'updated_at' - 'source_changed_at')::text AS r FROM \(table) t
                """).map { try $0.decode(String.self, "r") }
        }
        return lines.sorted()
    }

    /// A backdated repayment with its replay on loan 1001, and a person's reversal on loan 1003.
    static func replayAndReversal(_ book: FineractBook, _ tenant: TestDatabase) async throws {
        let t = tenant.pool
        let old = try await t.query("SELECT id FROM m_loan_transaction WHERE loan_id = 1001 AND transaction_type_enum = 2")[0].decode(Int64.self, "id")
        try await book.insertTransaction(loan: 1_001, type: 2, date: book.disbursed(1) + 20, principal: "100", interest: nil, fee: nil,
                                         db: tenant, submitted: book.disbursed(1) + 40)
        try await t.query("UPDATE m_loan_transaction SET is_reversed = TRUE, reversed_on_date = transaction_date + 10 WHERE id = $1", [old])
        let replacement = try await book.insertTransaction(loan: 1_001, type: 2, date: book.disbursed(1) + 30, principal: "200", interest: "18",
                                                           fee: "5", db: tenant, submitted: book.disbursed(1) + 40)
        try await t.query("""
            INSERT INTO m_loan_transaction_relation (from_loan_transaction_id, to_loan_transaction_id, relation_type_enum, created_by,
                created_on_utc, last_modified_by, last_modified_on_utc) VALUES ($1, $2, 3, 1, now(), 1, now())
            """, [replacement, old])
        try await t.query("""
            UPDATE m_loan_transaction SET is_reversed = TRUE, reversed_on_date = transaction_date + 3, manually_adjusted_or_reversed = TRUE
            WHERE loan_id = 1003 AND transaction_type_enum = 2
            """)
    }

    @Test("the events of a book give the loans, schedules and repayments of its pull; the next pull completes the master data; events again change nothing")
    func convergesWithPull() async throws {
        let book = FineractBook(loans: 10)
        try await FineractSyncTests.withBook(book) { pulled, tenant in
            try await Self.replayAndReversal(book, tenant)
            try await FineractSyncTests.sync(pulled, tenant)
            let pulledRows = try await Self.loanRows(pulled)
            let pulledAll = try await FineractSyncTests.fingerprint(pulled)
            let (offices, bundles) = try await Self.bundles(tenant)

            try await TestDatabase.with { events in
                // The pull has stored the offices (only them) before the first event.
                try await FineractStoredOffices.replace(offices, on: events.pool)
                let handler = try Self.handler(events)
                var id: Int64 = 1_000
                for bundle in bundles {
                    for content in Self.events(of: bundle) {
                        id += 1
                        let outcome = try await handler.apply(Self.message(id, [content]))
                        #expect(outcome.parked == 0 && outcome.rejected == 0)
                    }
                }
                #expect(try await Self.loanRows(events) == pulledRows)
                // Officers the events named only by name: minimal rows, completed by the next pull.
                try await FineractSyncTests.sync(events, tenant)
                #expect(try await FineractSyncTests.fingerprint(events) == pulledAll)
            }

            // The same events after the pull (newer message ids) change nothing.
            try await FineractStoredOffices.replace(offices, on: pulled.pool)
            let handler = try Self.handler(pulled)
            var id: Int64 = 5_000
            for bundle in bundles {
                id += 1
                _ = try await handler.apply(Self.message(id, Self.events(of: bundle)))
            }
            #expect(try await FineractSyncTests.fingerprint(pulled) == pulledAll)
        }
    }

    @Test("messages applied in batches (one transaction each, random sizes, a message twice in a batch, a stale snapshot after a newer one, each batch planned while the one before is still unwritten) end as applied one by one")
    func batchesEqualOneByOne() async throws {
        let book = FineractBook(loans: 10)
        try await FineractSyncTests.withBook(book) { pulled, tenant in
            try await Self.replayAndReversal(book, tenant)
            try await FineractSyncTests.sync(pulled, tenant)
            let pulledRows = try await Self.loanRows(pulled)
            let (offices, bundles) = try await Self.bundles(tenant)
            var messages: [FineractEventMessage] = []
            for bundle in bundles {
                for content in Self.events(of: bundle) { messages.append(Self.message(Int64(1_001 + messages.count), [content])) }
            }
            // Loan 1000's first snapshot again at the end, with a lower id than its last: stale.
            let firstSnapshot = try #require(messages.first)
            messages.append(Self.message(1, firstSnapshot.events.compactMap { try? $0.get().content }, key: "stale"))
            // One by one: the reference.
            var reference = FineractEventOutcome()
            try await TestDatabase.with { events in
                try await FineractStoredOffices.replace(offices, on: events.pool)
                let handler = try Self.handler(events)
                for message in messages {
                    let outcome = try await handler.apply(message)
                    reference.applied += outcome.applied
                    reference.ignored.merge(outcome.ignored, uniquingKeysWith: +)
                }
                #expect(try await Self.loanRows(events) == pulledRows)
                #expect(try await events.count("SELECT count(*) AS n FROM fineract_event_keys") == reference.applied)
            }
            #expect(reference.ignored["stale loan snapshot"] == 1)
            #expect(reference.applied > messages.count / 2)
            // The consumer's two stages at their widest: each batch planned before the batch before
            // it is written (over that batch's plan), with a repayment of that batch again.
            // The same batches applied one after the other are the reference.
            for seed in [4, 5, 6] as [UInt64] {
                var generator = SplitMix64(seed: seed)
                var rest = messages[...]
                var batches: [[FineractEventMessage]] = []
                while !rest.isEmpty {
                    var batch = Array(rest.prefix(Int.random(in: 1...12, using: &generator)))
                    rest = rest.dropFirst(batch.count)
                    let repayment = batches.last?.last { message in
                        message.events.contains { event in
                            guard case .success(let event) = event, case .transaction = event.content else { return false }
                            return true
                        }
                    }
                    if let repayment { batch.insert(repayment, at: Int.random(in: 0...batch.count, using: &generator)) }
                    batches.append(batch)
                }
                var sequential = FineractEventOutcome()
                try await TestDatabase.with { events in
                    try await FineractStoredOffices.replace(offices, on: events.pool)
                    let handler = try Self.handler(events)
                    for batch in batches { sequential.add(try await handler.apply(batch)) }
                    #expect(try await Self.loanRows(events) == pulledRows)
                }
                #expect(sequential.duplicates > 0)
                #expect(sequential.applied == reference.applied && sequential.ignored["stale loan snapshot"] == 1)
                try await TestDatabase.with { events in
                    try await FineractStoredOffices.replace(offices, on: events.pool)
                    let handler = try Self.handler(events)
                    var inFlight: FineractEventBatchPlan?
                    var total = FineractEventOutcome()
                    for batch in batches {
                        let plan = try await handler.plan(batch.map { .success($0) }, over: inFlight)
                        if let inFlight { total.add(try await handler.write(inFlight)) }
                        inFlight = plan
                    }
                    if let inFlight { total.add(try await handler.write(inFlight)) }
                    #expect(total == sequential)
                    #expect(try await Self.loanRows(events) == pulledRows)
                    #expect(try await events.count("SELECT count(*) AS n FROM fineract_event_keys") == reference.applied)
                }
            }
            // Another consumer commits a message of a batch after it was planned: its write rolls
            // back and it is planned again, and so is the batch planned over it.
            try await TestDatabase.with { events in
                try await FineractStoredOffices.replace(offices, on: events.pool)
                let handler = try Self.handler(events)
                let middle = messages.count / 2
                let counted = Mutex(FineractEventOutcome())
                let first = try await FineractPreparedEvents(messages[..<middle].map { .success($0) }, committing: nil, handler: handler) { outcome in
                    counted.withLock { $0.add(outcome) }
                }
                let second = try await FineractPreparedEvents(messages[middle...].map { .success($0) }, committing: first,
                                                              handler: handler) { outcome in counted.withLock { $0.add(outcome) } }
                let other = try await handler.apply(messages[0])
                #expect(other.applied == 1)
                try await first.commit()
                try await second.commit()
                #expect(first.wasPlannedAgain && second.wasPlannedAgain)
                let total = counted.withLock { $0 }
                #expect(total.applied + other.applied == reference.applied && total.duplicates == 1)
                #expect(try await Self.loanRows(events) == pulledRows)
                #expect(try await events.count("SELECT count(*) AS n FROM fineract_event_keys") == reference.applied)
            }
            for seed in [1, 2, 3] as [UInt64] {
                try await TestDatabase.with { events in
                    try await FineractStoredOffices.replace(offices, on: events.pool)
                    let handler = try Self.handler(events)
                    var generator = SplitMix64(seed: seed)
                    var rest = messages[...]
                    var total = FineractEventOutcome(), inserted = 0
                    while !rest.isEmpty {
                        var batch = Array(rest.prefix(Int.random(in: 1...12, using: &generator)))
                        rest = rest.dropFirst(batch.count)
                        // Fineract's at-least-once publication: a message twice in one batch.
                        if batch.count > 2 {
                            batch.insert(batch[0], at: 2)
                            inserted += 1
                        }
                        let outcome = try await handler.apply(batch)
                        #expect(outcome.parked == 0 && outcome.rejected == 0)
                        #expect(outcome.messages == batch.count)
                        total.applied += outcome.applied
                        total.duplicates += outcome.duplicates
                        total.ignored.merge(outcome.ignored, uniquingKeysWith: +)
                    }
                    #expect(total.applied == reference.applied)
                    #expect(total.duplicates == inserted)
                    #expect(total.ignored == reference.ignored)
                    #expect(try await Self.loanRows(events) == pulledRows)
                    #expect(try await events.count("SELECT count(*) AS n FROM fineract_event_keys") == reference.applied)
                    // All of them again, as one batch: the applied ones are duplicates, nothing changes.
                    let again = try await handler.apply(messages)
                    #expect(again.duplicates == reference.applied && again.applied == 0)
                    #expect(try await Self.loanRows(events) == pulledRows)
                }
            }
        }
    }

    @Test("a loan refused by the mapping, named by two messages of one batch: one reject row, the batch commits")
    func refusedLoanTwiceInABatch() async throws {
        try await TestDatabase.with { db in
            try await FineractStoredOffices.replace([FineractOffice(id: 1, name: "Head Office", hierarchy: "."),
                                                     FineractOffice(id: 3, name: "Kano", hierarchy: ".3.")], on: db.pool)
            let handler = try Self.handler(db)
            // The schedule does not sum to the disbursed principal (1,400 of 1,500).
            let row = FineractLoanRow(id: 44, loanStatusID: 300, principalAmount: "1500.00000000", clientID: 7, clientName: "Client 7",
                                      clientOfficeID: 3, loanOfficerID: 5, officerName: "Obi, Ada", principalDisbursed: "1500.00000000",
                                      annualNominalInterestRate: "24.00000000", disbursedOnDate: "2024-02-01", expectedMaturedOnDate: "2024-03-01")
            let content = FineractEventContent.loan(row, schedule: [
                FineractInstallment(id: 1, installment: 1, dueDate: "2024-03-01", principalAmount: "1400.00000000",
                                    interestAmount: "250.00000000", feeChargesAmount: nil)])
            let outcome = try await handler.apply([Self.message(1, [content]), Self.message(2, [content])])
            #expect(outcome.rejected == 2 && outcome.accepted == 0)
            #expect(try await db.count("SELECT count(*) AS n FROM etl_rejects WHERE source = 'fineract-events'") == 1)
            #expect(try await db.count("SELECT count(*) AS n FROM loan_accounts") == 0)
            #expect(try await db.count("SELECT count(*) AS n FROM fineract_event_keys") == 2)
        }
    }

    @Test("an office the pull stored after the consumer read the offices places the next loan in it at once (a miss reads them again)")
    func newOfficeIsFound() async throws {
        try await TestDatabase.with { db in
            var offices = [FineractOffice(id: 1, name: "Head Office", hierarchy: "."), FineractOffice(id: 2, name: "North", hierarchy: ".2."),
                           FineractOffice(id: 3, name: "Kano", hierarchy: ".2.3.")]
            try await FineractStoredOffices.replace(offices, on: db.pool)
            // As the consumer runs: offices cached for 30 s.
            let handler = FineractEventHandler(pool: db.pool, reader: try FineractEventReader.fineract(),
                                               offices: FineractOfficeCache(pool: db.pool, regionLevel: 1, missRetry: .zero), channel: .direct)
            func loan(_ id: Int64, office: Int64) -> FineractEventContent {
                let row = FineractLoanRow(id: id, loanStatusID: 300, principalAmount: "1500.00000000", clientID: 7, clientName: "Client 7",
                                          clientOfficeID: office, loanOfficerID: 5, officerName: "Obi, Ada", principalDisbursed: "1500.00000000",
                                          annualNominalInterestRate: "24.00000000", disbursedOnDate: "2024-02-01",
                                          expectedMaturedOnDate: "2024-03-01")
                return .loan(row, schedule: [FineractInstallment(id: id, installment: 1, dueDate: "2024-03-01", principalAmount: "1500.00000000",
                                                                 interestAmount: "250.00000000", feeChargesAmount: nil)])
            }
            #expect(try await handler.apply(Self.message(1, [loan(42, office: 3)])).applied == 1)
            offices.append(FineractOffice(id: 4, name: "Jos", hierarchy: ".2.4."))
            try await FineractStoredOffices.replace(offices, on: db.pool)
            #expect(try await handler.apply(Self.message(2, [loan(43, office: 4)])).applied == 1)
            let rows = try await db.pool.query("SELECT loan_id, branch, region FROM loan_accounts ORDER BY loan_id")
                .map { "\(try $0.decode(String.self, "loan_id")) \(try $0.decode(String.self, "branch")) \(try $0.decode(String.self, "region"))" }
            #expect(rows == ["42 Kano North", "43 Jos North"])
        }
    }

    /// The officer and branch rows of a full refresh, without ids and timestamps.
    static func metricRows(_ db: TestDatabase) async throws -> [String] {
        var lines: [String] = []
        for table in ["officer_metrics_daily", "branch_metrics_daily"] {
            lines += try await db.pool.query("""
                SELECT '\(table)' || (to_jsonb(t) - 'metric_id' - 'calculated_at' - 'created_at' - 'updated_at')::text AS r FROM \(table) t
                """).map { try $0.decode(String.self, "r") }
        }
        return lines.sorted()
    }

    @Test("a scenario (disbursals, repayments, a backdated repayment and its replay, a user's reversal, a write-off, an officer reassignment) as events after the pull's master data: every row, and the officer and branch rows of a full refresh, equal the pull's")
    func scenarioEqualsPull() async throws {
        let book = FineractBook(loans: 12)
        try await FineractSyncTests.withBook(book) { pulled, tenant in
            let t = tenant.pool
            try await book.insertTransaction(loan: 1_000, type: 2, date: book.disbursed(0) + 60, principal: "300", interest: "18", fee: "5", db: tenant)
            let old = try await t.query("SELECT id FROM m_loan_transaction WHERE loan_id = 1001 AND transaction_type_enum = 2")[0].decode(Int64.self, "id")
            try await book.insertTransaction(loan: 1_001, type: 2, date: book.disbursed(1) + 20, principal: "100", interest: nil, fee: nil,
                                             db: tenant, submitted: book.disbursed(1) + 40)
            try await t.query("UPDATE m_loan_transaction SET is_reversed = TRUE, reversed_on_date = $2 WHERE id = $1", [old, book.disbursed(1) + 40])
            let replacement = try await book.insertTransaction(loan: 1_001, type: 2, date: book.disbursed(1) + 30, principal: "200", interest: "18",
                                                               fee: "5", db: tenant, submitted: book.disbursed(1) + 40)
            try await t.query("""
                INSERT INTO m_loan_transaction_relation (from_loan_transaction_id, to_loan_transaction_id, relation_type_enum, created_by,
                    created_on_utc, last_modified_by, last_modified_on_utc) VALUES ($1, $2, 3, 1, now(), 1, now())
                """, [replacement, old])
            try await t.query("""
                UPDATE m_loan_transaction SET is_reversed = TRUE, reversed_on_date = '2024-03-01', manually_adjusted_or_reversed = TRUE
                WHERE loan_id = 1003 AND transaction_type_enum = 2
                """)
            try await t.query("UPDATE m_loan SET loan_status_id = 601, writtenoffon_date = '2024-04-15' WHERE id = 1005")
            try await t.query("UPDATE m_loan SET loan_officer_id = 6 WHERE id = 1002")
            try await FineractSyncTests.sync(pulled, tenant)
            let (offices, bundles) = try await Self.bundles(tenant)

            try await TestDatabase.with { events in
                // What the pull brings that has no events (offices, staff, clients), as its first
                // chunks send it; then every loan's events.
                try await FineractStoredOffices.replace(offices, on: events.pool)
                let mapping = FineractMapping(offices: FineractOffices(offices, regionLevel: 1))
                let (staff, clients) = try await tenant.pool.withConnection { connection in
                    let reader = FineractTenantReader(connection: connection)
                    return (try await reader.staff(), try await reader.clients(after: 0, limit: 10_000, since: nil))
                }
                var summary = Ingestor.Summary()
                var chunks = [staff.map(mapping.officer), clients.map(mapping.customer)]
                try await Ingestor.pipeline(pool: events.pool, source: "test master data", summary: &summary) {
                    chunks.isEmpty ? nil : chunks.removeFirst()
                }
                #expect(summary.rejected == 0)
                let handler = try Self.handler(events)
                var id: Int64 = 1_000
                for bundle in bundles {
                    for content in Self.events(of: bundle) {
                        id += 1
                        let outcome = try await handler.apply(Self.message(id, [content]))
                        #expect(outcome.parked == 0 && outcome.rejected == 0)
                    }
                }
                #expect(try await FineractSyncTests.fingerprint(events) == (try await FineractSyncTests.fingerprint(pulled)))
                for db in [pulled, events] { _ = try await MetricJobs.fullRefresh(try FixtureJobsTests.context(db, date: "2024-06-01")) }
                let refreshed = try await Self.metricRows(pulled)
                #expect(!refreshed.isEmpty)
                #expect(try await Self.metricRows(events) == refreshed)
            }
        }
    }

    @Test("a redelivered message (same idempotency key) changes nothing; an older loan snapshot is not applied over a newer one")
    func idempotentAndOrdered() async throws {
        let book = FineractBook(loans: 2)
        try await FineractSyncTests.withBook(book) { db, tenant in
            let (offices, bundles) = try await Self.bundles(tenant)
            try await FineractStoredOffices.replace(offices, on: db.pool)
            let handler = try Self.handler(db)
            let loan = try #require(bundles.first)
            let first = try await handler.apply(Self.message(10, Self.events(of: loan)))
            #expect(first.applied == 1)
            let before = try await FineractSyncTests.fingerprint(db)
            let again = try await handler.apply(Self.message(10, Self.events(of: loan)))
            #expect(again.duplicates == 1 && again.applied == 0)
            #expect(try await FineractSyncTests.fingerprint(db) == before)
            #expect(try await db.count("SELECT count(*) AS n FROM fineract_event_keys") == 1)

            // Written off by message 20; message 15 (older, delivered late) still shows it active.
            var writtenOff = loan.loan
            writtenOff.loanStatusID = 601
            writtenOff.writtenOffOnDate = "2024-05-01"
            #expect(try await handler.apply(Self.message(20, [.loan(writtenOff, schedule: loan.schedule)])).applied == 1)
            let late = try await handler.apply(Self.message(15, [.loan(loan.loan, schedule: loan.schedule)]))
            #expect(late.ignored == ["stale loan snapshot": 1])
            let status = try await db.pool.query("SELECT status FROM loan_accounts WHERE loan_id = $1", [String(loan.loan.id)])[0]
                .decode(String.self, "status")
            #expect(status == "Written Off")
            #expect(try await db.pool.query("SELECT message_id FROM fineract_loan_snapshots WHERE loan_id = $1",
                                            [String(loan.loan.id)])[0].decode(Int64.self, "message_id") == 20)
        }
    }

    @Test("an unknown fingerprint and a truncated message are parked with base64 and the reason; redelivered, they are parked once")
    func parked() async throws {
        try await TestDatabase.with { db in
            let handler = try Self.handler(db)
            let valid = try Self.fixtureMessage()
            var unknown = valid
            unknown[3] ^= 0x5A
            let truncated = Array(valid.prefix(valid.count / 2))
            for bytes in [unknown, truncated, unknown] {
                let outcome = try await handler.handle(bytes)
                #expect(outcome.parked == 1)
                #expect(outcome.applied == 0)
            }
            // The same three in one batch (the unknown one twice in it): parked, still one row each.
            let batch = try await handler.handle([unknown, truncated, unknown])
            #expect(batch.parked == 3 && batch.messages == 3 && batch.applied == 0)
            let rows = try await db.pool.query("SELECT reasons::text AS reasons, payload FROM etl_rejects WHERE source = 'fineract-events' ORDER BY reject_id")
            #expect(rows.count == 2)
            var payloads: [JSONObject] = []
            for row in rows {
                payloads.append(try #require(try JSONReader().parse(try row.decode(String.self, "payload")).objectValue))
            }
            #expect(payloads.map { Data(base64Encoded: $0["bytes_base64"]?.stringValue ?? "").map { [UInt8]($0) } } == [unknown, truncated])
            #expect(payloads[0]["fingerprint"]?.stringValue != nil)
            #expect(payloads[0]["reason"]?.stringValue?.contains("unknown writer schema fingerprint") == true)
            #expect(payloads[1]["reason"]?.stringValue?.contains("undecodable") == true)
        }
    }

    /// A `MessageV1` encoded by the Python `avro` package (Tests/FineractEventsTests/Fixtures).
    static func fixtureMessage() throws -> [UInt8] {
        let url = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/FineractEventsTests/Fixtures/avro-fixtures.json")
        let object = try #require(try JSONReader(maximumDepth: 512).parse([UInt8](Data(contentsOf: url))).objectValue)
        let hex = try #require(object["singleObject"]?.arrayValue?.compactMap(\.objectValue)
            .first { $0["name"]?.stringValue == "message with a loan transaction" }?["hex"]?.stringValue)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}

private extension FineractEventOutcome {
    mutating func add(_ other: FineractEventOutcome) {
        messages += other.messages
        applied += other.applied
        parked += other.parked
        accepted += other.accepted
        rejected += other.rejected
        duplicates += other.duplicates
        ignored.merge(other.ignored, uniquingKeysWith: +)
    }
}
