import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import FineractEvents
import Foundation
@testable import MetricsWorker
import Stomp
import Testing

/// Issue 16's scenario end to end: Fineract's messages built from the release's `.avsc` schemas
/// (``FineractMessageBuilder``), sent as JMS BytesMessages through the test run's ActiveMQ
/// (``StompPublisher``), consumed by the real `metrics-worker consume-fineract-events`, then a full
/// refresh; compared with the same book sent as NDJSON through `metrics-worker ingest`. Both come
/// from one description (``Scenario``).
@Suite("consume-fineract-events: the scenario through ActiveMQ")
struct FineractEventScenarioTests {
    static let asOf = "2024-06-01"

    /// One description of the book and what happens to it, written as Fineract's messages and as NDJSON.
    struct Scenario {
        struct Loan {
            var id: Int64
            var office: Int64
            /// The officer at disbursal (nil: unassigned).
            var officer: Int64?
            /// Reassigned to this officer after disbursal.
            var reassignedTo: Int64?
            var disbursed: CalendarDate
            var writtenOffOn: CalendarDate?
            var finalOfficer: Int64? { reassignedTo ?? officer }
        }

        struct Payment {
            var id: Int64
            var loan: Int64
            var date: CalendarDate
            var principal: Money
            var interest: Money
            var fee: Money
            var submitted: CalendarDate
            /// A person reversed it on this day.
            var userReversedOn: CalendarDate?
            /// A system replay: this transaction replaces `replaces` (reversed on `submitted`, not by a person).
            var replaces: Int64?
            var amount: Money { principal + interest + fee }
        }

        static let offices: [FineractOffice] = [FineractOffice(id: 2, name: "North", hierarchy: ".2."),
                                                FineractOffice(id: 3, name: "Kano", hierarchy: ".2.3."),
                                                FineractOffice(id: 4, name: "Kaduna", hierarchy: ".2.4.")]
        static let branch: [Int64: String] = [3: "Kano", 4: "Kaduna"]
        static let staff: [(id: Int64, office: Int64, name: String, phone: String)] = [
            (5, 3, "Obi, Ada", "+234 803 000 0005"), (6, 4, "Bello, Musa", "+234 803 000 0006"),
        ]

        var loans: [Loan] = []
        var payments: [Payment] = []

        static func money(_ units: Int64) -> Money { Money(minorUnits: units * 100) }

        /// Eight loans of 900 (3 monthly installments of 300 + 18 interest + 5 fees), one repayment
        /// each on most; a second repayment on 1000; on 1001 a backdated repayment and the replay of
        /// the repayment after it; on 1003 a person's reversal; 1005 written off; 1002 reassigned
        /// from Ada (Kano) to Musa (Kaduna); 1004 without an officer.
        static func make() -> Scenario {
            var scenario = Scenario()
            for i in 0..<8 {
                let office: Int64 = i % 2 == 0 ? 3 : 4
                let day = CalendarDate(year: 2024, month: 1, day: 1 + i) ?? CalendarDate(daysSinceEpoch: 19_723)
                var loan = Loan(id: Int64(1_000 + i), office: office, officer: i == 4 ? nil : (office == 3 ? 5 : 6), disbursed: day)
                if i == 2 { loan.reassignedTo = 6 }
                if i == 5 { loan.writtenOffOn = CalendarDate(year: 2024, month: 4, day: 15) }
                scenario.loans.append(loan)
                if i % 3 != 2 {
                    scenario.payments.append(Payment(id: Int64(2_000 + i), loan: loan.id, date: day + 30, principal: money(300),
                                                     interest: money(18), fee: money(5), submitted: day + 30))
                }
            }
            let start1 = scenario.loans[1].disbursed
            scenario.payments.append(Payment(id: 2_100, loan: 1_000, date: scenario.loans[0].disbursed + 60, principal: money(300),
                                             interest: money(18), fee: money(5), submitted: scenario.loans[0].disbursed + 60))
            // Entered on day 40 with the date of day 20: Fineract replays the repayment of day 30.
            scenario.payments.append(Payment(id: 2_101, loan: 1_001, date: start1 + 20, principal: money(100), interest: .zero, fee: .zero,
                                             submitted: start1 + 40))
            scenario.payments.append(Payment(id: 2_102, loan: 1_001, date: start1 + 30, principal: money(200), interest: money(18),
                                             fee: money(5), submitted: start1 + 40, replaces: 2_001))
            if let index = scenario.payments.firstIndex(where: { $0.id == 2_003 }) {
                scenario.payments[index].userReversedOn = CalendarDate(year: 2024, month: 3, day: 1)
            }
            return scenario
        }

        func payment(_ id: Int64) -> Payment? { payments.first { $0.id == id } }

        // MARK: Fineract's messages

        func periods(_ loan: Loan) -> [FineractLoanPayload.Period] {
            [.disbursement(on: loan.disbursed, principal: Self.money(900))] + (1...3).map { n in
                FineractLoanPayload.Period(number: Int32(n), fromDate: loan.disbursed + 30 * (n - 1), dueDate: loan.disbursed + 30 * n,
                                           principalDue: Self.money(300), interestDue: Self.money(18), feeChargesDue: Self.money(5))
            }
        }

        func loanPayload(_ loan: Loan, officer: Int64?, writtenOff: Bool) -> FineractLoanPayload {
            var payload = FineractLoanPayload(id: loan.id, statusID: writtenOff ? 601 : 300, clientID: loan.id, clientName: "Client \(loan.id)",
                                              clientOfficeID: loan.office, loanOfficerID: officer,
                                              loanOfficerName: officer.flatMap { o in Self.staff.first { $0.id == o }?.name },
                                              principal: Self.money(900), annualInterestRate: "24", numberOfRepayments: 3,
                                              submittedOn: loan.disbursed + -2, disbursedOn: loan.disbursed,
                                              expectedMaturityDate: loan.disbursed + 90, periods: periods(loan))
            if writtenOff { payload.writtenOffOn = loan.writtenOffOn }
            return payload
        }

        func transactionPayload(_ p: Payment, typeID: Int32 = 2, reversedOn: CalendarDate? = nil, manually: Bool = false) -> FineractTransactionPayload {
            let office = loans.first { $0.id == p.loan }?.office ?? 3
            var t = FineractTransactionPayload(id: p.id, loanID: p.loan, officeID: office, officeName: Self.branch[office] ?? "", typeID: typeID,
                                               date: p.date, amount: p.amount, principalPortion: p.principal, interestPortion: p.interest,
                                               feeChargesPortion: p.fee, submittedOnDate: p.submitted, manuallyReversed: manually,
                                               reversedOnDate: reversedOn,
                                               relations: p.replaces.map { [.init(from: p.id, to: $0, type: "REPLAYED", amount: p.amount)] } ?? [])
            t.paymentTypeName = "Cash"
            t.receiptNumber = "R-\(p.id)"
            return t
        }

        /// The messages Fineract's producer sends for the scenario, in its order per loan.
        func messages(_ builder: FineractMessageBuilder) throws -> [(type: String, bytes: [UInt8])] {
            var id: Int32 = 100
            var out: [(type: String, bytes: [UInt8])] = []
            func send(_ type: String, _ payload: FineractEventPayload, on day: CalendarDate) throws {
                id += 1
                let category = type == "BulkBusinessEvent" ? "Bulk" : "Loan"
                out.append((type, try builder.message(FineractEventEnvelope(id: id, type: type, category: category, businessDate: day), payload)))
            }
            for loan in loans {
                try send("LoanDisbursalBusinessEvent", .loan(loanPayload(loan, officer: loan.officer, writtenOff: false)), on: loan.disbursed)
                let disbursal = Payment(id: 3_000 + loan.id, loan: loan.id, date: loan.disbursed, principal: Self.money(900), interest: .zero,
                                        fee: .zero, submitted: loan.disbursed)
                try send("LoanDisbursalTransactionBusinessEvent", .transaction(transactionPayload(disbursal, typeID: 1)), on: loan.disbursed)
                for p in payments.filter({ $0.loan == loan.id }).sorted(by: { ($0.submitted, $0.id) < ($1.submitted, $1.id) }) {
                    if let replaced = p.replaces.flatMap(payment) {
                        // The replay of a backdated repayment: one bulk event, the adjustment and the loan's new balance.
                        let old = transactionPayload(replaced, reversedOn: p.submitted)
                        try send("BulkBusinessEvent", .bulk([
                            .init(type: "LoanAdjustTransactionBusinessEvent", payload: .adjustment(transactionToAdjust: old,
                                                                                                   newTransactionDetail: transactionPayload(p))),
                            .init(type: "LoanBalanceChangedBusinessEvent", payload: .loan(loanPayload(loan, officer: loan.officer, writtenOff: false))),
                        ]), on: p.submitted)
                    } else {
                        try send("LoanTransactionMakeRepaymentPostBusinessEvent", .transaction(transactionPayload(p)), on: p.submitted)
                    }
                }
                for p in payments where p.loan == loan.id {
                    guard let day = p.userReversedOn else { continue }
                    try send("LoanAdjustTransactionBusinessEvent",
                             .adjustment(transactionToAdjust: transactionPayload(p, reversedOn: day, manually: true), newTransactionDetail: nil), on: day)
                }
                if let to = loan.reassignedTo {
                    try send("LoanReassignOfficerBusinessEvent", .loan(loanPayload(loan, officer: to, writtenOff: false)), on: loan.disbursed + 45)
                }
                if let day = loan.writtenOffOn {
                    let writeOff = Payment(id: 4_000 + loan.id, loan: loan.id, date: day, principal: Self.money(900), interest: .zero,
                                           fee: .zero, submitted: day)
                    try send("LoanWrittenOffPostBusinessEvent", .transaction(transactionPayload(writeOff, typeID: 6)), on: day)
                    try send("LoanStatusChangedBusinessEvent", .loan(loanPayload(loan, officer: loan.finalOfficer, writtenOff: true)), on: day)
                }
            }
            return out
        }

        // MARK: NDJSON

        static func text(_ money: Money) -> String {
            let units = money.minorUnits
            let cents = abs(units % 100)
            return "\(units / 100).\(cents < 10 ? "0" : "")\(cents)"
        }

        /// Officers and customers (the master data the pull brings; events carry none).
        func masterData() -> [String] {
            var lines = Self.staff.map {
                #"{"officer_id":"\#($0.id)","officer_name":"\#($0.name)","officer_phone":"\#($0.phone)","region":"North","branch":"\#(Self.branch[$0.office] ?? "")","employment_status":"Active","hire_date":"2021-03-01","has_float_gap":false}"#
            }
            lines += loans.map { #"{"customer_id":"\#($0.id)","customer_name":"Client \#($0.id)"}"# }
            return lines
        }

        /// The whole book as NDJSON in its final state: the loans as they end, a replayed repayment
        /// under its first transaction's id with the replacement's values, a person's reversal as
        /// `is_reversed` with its date.
        func ndjson() -> String {
            var lines = masterData()
            for office in Set(loans.filter { $0.finalOfficer == nil }.map(\.office)).sorted() {
                let name = Self.branch[office] ?? ""
                lines.append(#"{"officer_id":"unassigned-\#(office)","officer_name":"Unassigned (\#(name))","region":"North","branch":"\#(name)","employment_status":"Active","has_float_gap":false}"#)
            }
            for loan in loans {
                let officer = loan.finalOfficer.map(String.init) ?? "unassigned-\(loan.office)"
                let officerName = loan.finalOfficer.flatMap { o in Self.staff.first { $0.id == o }?.name } ?? "Unassigned (\(Self.branch[loan.office] ?? ""))"
                let phone = loan.finalOfficer.flatMap { o in Self.staff.first { $0.id == o }?.phone }.map { #""officer_phone":"\#($0)","# } ?? ""
                let schedule = periods(loan).compactMap { p in
                    p.number.map { #"{"installment_number":\#($0),"due_date":"\#(p.dueDate)","principal_due":\#(Self.text(p.principalDue)),"interest_due":\#(Self.text(p.interestDue)),"fee_due":\#(Self.text(p.feeChargesDue))}"# }
                }
                let status = loan.writtenOffOn.map { #""status":"Written Off","closed_date":"\#($0)""# } ?? #""status":"Active""#
                lines.append(#"{"loan_id":"\#(loan.id)","customer_id":"\#(loan.id)","customer_name":"Client \#(loan.id)","officer_id":"\#(officer)","officer_name":"\#(officerName)",\#(phone)"region":"North","branch":"\#(Self.branch[loan.office] ?? "")","loan_amount":900.00,"disbursement_date":"\#(loan.disbursed)","maturity_date":"\#(loan.disbursed + 90)","loan_term_days":90,"interest_rate":0.24,"fee_amount":15.00,"channel":"Direct",\#(status),"schedule":[\#(schedule.joined(separator: ","))]}"#)
            }
            let replaced = Set(payments.compactMap(\.replaces))
            for p in payments where !replaced.contains(p.id) {
                // A replacement is stored under the chain's first transaction (its id, its is_backdated).
                let first = p.replaces.flatMap(payment) ?? p
                let reversal = p.userReversedOn.map { #""is_reversed":true,"reversal_date":"\#($0)""# } ?? #""is_reversed":false"#
                lines.append(#"{"repayment_id":"\#(first.id)","loan_id":"\#(p.loan)","payment_date":"\#(p.date)","payment_amount":\#(Self.text(p.amount)),"principal_paid":\#(Self.text(p.principal)),"interest_paid":\#(Self.text(p.interest)),"fees_paid":\#(Self.text(p.fee)),"penalty_paid":0,"payment_method":"Cash","payment_reference":"R-\#(p.id)","is_backdated":\#(first.date < first.submitted),\#(reversal)}"#)
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    static func worker(_ arguments: [String], _ environment: [String: String]) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"), arguments, environment: environment)
    }

    /// Every source row (officers, customers, loan accounts, repayments, schedules), the loans as the
    /// refresh computed them, and the officer and branch rows of the refresh, as sorted text (without
    /// ids and the times of writing).
    static func rows(_ db: TestDatabase) async throws -> [String] {
        var lines = try await FineractEventApplyTests.metricRows(db)
        for table in ["officers", "customers", "team_members", "loan_accounts", "loans", "repayments", "loan_schedule"] {
            lines += try await db.pool.query("""
                SELECT '\(table):' || (to_jsonb(t) - 'created_at' - 'updated_at' - 'source_changed_at' - 'computed_at'
                                        - 'refreshed_source_at')::text AS r FROM \(table) t
                """).map { try $0.decode(String.self, "r") }
        }
        return lines.sorted()
    }

    @Test("the scenario's Fineract messages through ActiveMQ, consumed by the real binary, then a full refresh: every row equals the same book sent as NDJSON; a message delivered twice changes nothing")
    func scenarioEqualsNDJSON() async throws {
        let scenario = Scenario.make()
        let builder = try FineractMessageBuilder()
        let built = try scenario.messages(builder)
        let messages = built.map(\.bytes)
        // 8 disbursals (loan and transaction: 16), 8 repayments, the replay's bulk, a reversal, a reassignment, a write-off
        // (transaction and status): 29.
        #expect(messages.count == 29)
        let queue = EventBroker.uniqueQueue("scenario")
        let publisher = StompPublisher(configuration: try EventBroker.settings(queue: queue).broker, queue: queue, batchSize: 10,
                                       logger: EventBroker.logger)

        try await TestDatabase.with { reference in
            // The same book as NDJSON, through ingest, then a full refresh.
            let path = try IngestTests.write(scenario.ndjson())
            let env = ["DATABASE_URL": reference.configuration.url, "LOG_LEVEL": "warning"]
            let ingested = try await Self.worker(["ingest", path], env)
            #expect(ingested.status == 0, "\(ingested.output)")
            let refreshed = try await Self.worker(["full-refresh", "--as-of", Self.asOf], env)
            #expect(refreshed.status == 0, "\(refreshed.output)")
            let expected = try await Self.rows(reference)
            #expect(expected.contains { $0.hasPrefix("officer_metrics_daily") } && expected.contains { $0.hasPrefix("branch_metrics_daily") })
            #expect(expected.contains { $0.hasPrefix("repayments:") && $0.contains(#""is_reversed": true"#) })

            try await TestDatabase.with { events in
                // What the pull brings and the events do not: offices, officers, customers.
                try await FineractStoredOffices.replace(Scenario.offices, on: events.pool)
                let env = try FineractEventProcessTests.environment(events, queue: queue)
                let master = try await Self.worker(["ingest", try IngestTests.write(scenario.masterData().joined(separator: "\n") + "\n")], env)
                #expect(master.status == 0, "\(master.output)")

                #expect(try await publisher.publish(messages) == messages.count)
                let consumed = try await Self.worker(["consume-fineract-events", "--until-idle", "3"], env)
                #expect(consumed.status == 0, "\(consumed.output)")
                #expect(consumed.output.contains("consume-fineract-events: consumed \(messages.count),"), "\(consumed.output)")
                #expect(consumed.output.contains("parked 0; records accepted"), "\(consumed.output)")
                #expect(consumed.output.contains("rejected 0"), "\(consumed.output)")
                #expect(try await events.count("SELECT count(*) AS n FROM etl_rejects") == 0)
                let refresh = try await Self.worker(["full-refresh", "--as-of", Self.asOf], env)
                #expect(refresh.status == 0, "\(refresh.output)")
                let got = try await Self.rows(events)
                #expect(got.filter { !expected.contains($0) } == [], "rows only in the events database")
                #expect(expected.filter { !got.contains($0) } == [], "rows only in the NDJSON database")

                // The bulk replay delivered a second time (same bytes, same idempotency key): nothing changes.
                let bulk = try #require(built.first { $0.type == "BulkBusinessEvent" }?.bytes)
                try await publisher.publish([bulk])
                let again = try await Self.worker(["consume-fineract-events", "--until-idle", "3"], env)
                #expect(again.status == 0, "\(again.output)")
                #expect(again.output.contains("consumed 1, applied 0, duplicates 1"), "\(again.output)")
                let refreshAgain = try await Self.worker(["full-refresh", "--as-of", Self.asOf], env)
                #expect(refreshAgain.status == 0, "\(refreshAgain.output)")
                #expect(try await Self.rows(events) == got)
            }
        }
    }
}
