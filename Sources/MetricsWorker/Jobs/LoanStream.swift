import AnalyticsCore
import AnalyticsStore

/// Something that consumes the engine ledgers of a loan stream, on the blocking thread.
protocol LedgerConsumer: Sendable {
    /// One loan: its ledger and the `source_changed_at` the stream saw (text, for the refresh marker).
    mutating func consume(_ ledger: LoanLedger, sourceVersion: String)
}

/// Streams the loans (of one partition) with their given schedules and repayments out of
/// PostgreSQL in one `COPY ... TO STDOUT`, merged by `loan_id`, and hands each loan's ledger to a
/// consumer. Memory holds one loan at a time plus what the consumer keeps.
///
/// Generated schedules are not stored: they are built here by AnalyticsCore from the loan's
/// terms (METRICS 2), so there is one definition of the rule.
enum LoanStream {
    /// The session table that restricts the stream to a partition's officers.
    static let createPartitionTable = "CREATE TEMP TABLE IF NOT EXISTS job_officers (officer_id varchar(50) PRIMARY KEY)"

    /// The session table of loan ids that restricts a stream (`refresh-loans --changed-only`).
    static let createLoanTable = "CREATE TEMP TABLE IF NOT EXISTS job_loans (loan_id varchar(50) PRIMARY KEY)"

    /// Which loans a stream reads.
    enum Filter: Sendable {
        case all
        case partition
        case loans(partitioned: Bool)
    }

    /// The stream's query. With `sliced`, only the loans whose `hashtext(loan_id)` falls in the
    /// slice named by the session settings `analytics.slice` / `analytics.slices` (set with bound
    /// parameters), so several connections can stream disjoint parts of the book at once.
    static func query(_ filter: Filter, sliced: Bool) -> String {
        func restrict(_ alias: String) -> String {
            var joins = ""
            var conditions: [String] = []
            switch filter {
            case .all: break
            case .partition:
                joins = alias == "l" ? "" : " JOIN loans l ON l.loan_id = \(alias).loan_id"
                joins += " JOIN job_officers jo ON jo.officer_id = l.officer_id"
            case .loans(let partitioned):
                joins = " JOIN job_loans jl ON jl.loan_id = \(alias).loan_id"
                if partitioned {
                    joins += (alias == "l" ? "" : " JOIN loans l ON l.loan_id = \(alias).loan_id")
                        + " JOIN job_officers jo ON jo.officer_id = l.officer_id"
                }
            }
            if sliced {
                conditions.append("mod(abs(hashtext(\(alias).loan_id)), current_setting('analytics.slices')::int) = current_setting('analytics.slice')::int")
            }
            return joins + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        }
        return """
            COPY (
                SELECT l.loan_id, 0 AS kind, l.officer_id, l.branch, l.channel, l.status, l.closed_date::text,
                       l.disbursement_date::text, l.maturity_date::text, l.loan_amount::text, l.loan_term_days::text,
                       l.interest_rate::text, l.fee_amount::text, l.repayment_every_days::text, l.source_changed_at::text
                FROM loans l\(restrict("l"))
                UNION ALL
                SELECT s.loan_id, 1, s.installment_number::text, s.due_date::text, s.principal_due::text,
                       s.interest_due::text, s.fee_due::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
                FROM loan_schedule s\(restrict("s"))
                UNION ALL
                SELECT r.loan_id, 2, r.repayment_id, r.payment_date::text, r.principal_paid::text, r.interest_paid::text,
                       r.fees_paid::text, r.waiver_amount::text, r.is_backdated::int::text, r.is_reversed::int::text,
                       r.reversal_date::text, NULL, NULL, NULL, NULL
                FROM repayments r\(restrict("r"))
                ORDER BY 1
            ) TO STDOUT
            """
    }

    /// Restricts the next streams on `connection` to `partition`'s officers (no-op for `0/1`).
    static func selectPartition(_ partition: Partition, on connection: PostgresConnection) async throws -> [String] {
        guard !partition.isWhole else { return [] }
        try await connection.execute(createPartitionTable)
        try await connection.execute("TRUNCATE job_officers")
        let all = try await connection.query("SELECT officer_id FROM officers").map { try $0.decode(String.self, "officer_id") }
        let mine = all.filter { partition.contains(officerID: $0) }
        try await connection.copyIn("COPY job_officers (officer_id) FROM STDIN") { writer in
            for id in mine { try await writer.write(row: [id]) }
        }
        try await connection.execute("ANALYZE job_officers")
        return mine
    }

    /// Runs the stream through `consumer` and returns it with everything it gathered.
    static func run<C: LedgerConsumer>(on connection: PostgresConnection, filter: Filter, slice: (index: Int, count: Int)? = nil,
                                       _ consumer: C) async throws -> C {
        var settings: [(name: String, value: String)] = []
        if let slice {
            settings = [("analytics.slice", String(slice.index)), ("analytics.slices", String(slice.count))]
        }
        return try await connection.copyOut(query(filter, sliced: slice != nil), bindSettings: settings) { reader in
            var consumer = consumer
            var builder = LedgerBuilder()
            while try reader.next() {
                if let (ledger, version) = try builder.add(reader) { consumer.consume(ledger, sourceVersion: version) }
            }
            if let (ledger, version) = try builder.finish() { consumer.consume(ledger, sourceVersion: version) }
            return consumer
        }
    }
}

/// Gathers the rows of one loan (they arrive together, in any kind order) into a ledger.
struct LedgerBuilder {
    private var loanID: String?
    private var terms: Terms?
    private var installments: [Installment] = []
    private var repayments: [(id: String, facts: RepaymentFacts)] = []

    private struct Terms {
        var officerID: String
        var branch: String
        var channel: String
        var status: LoanStatus
        var closedDate: CalendarDate?
        var disbursementDate: CalendarDate
        var maturityDate: CalendarDate
        var loanAmount: Money
        var loanTermDays: Int
        var interestRate: Ratio4?
        var feeAmount: Money?
        var repaymentEveryDays: Int?
        var sourceVersion: String
    }

    /// Adds the reader's current row; returns the previous loan's ledger when this row starts a new loan.
    mutating func add(_ row: PostgresCopyOutReader) throws -> (LoanLedger, String)? {
        guard let id = row.string(0), let kind = row.int(1) else { throw StreamError("a row without loan_id or kind") }
        var finished: (LoanLedger, String)?
        if id != loanID {
            finished = try finish()
            loanID = id
        }
        switch kind {
        case 0:
            guard let officer = row.string(2), let branch = row.string(3), let channel = row.string(4),
                  let statusText = row.string(5), let status = LoanStatus(rawValue: statusText),
                  let disbursed = row.date(7), let maturity = row.date(8), let amount = row.money(9), let term = row.int(10)
            else { throw StreamError("loan \(id) has a malformed row") }
            terms = Terms(officerID: officer, branch: branch, channel: channel, status: status, closedDate: row.date(6),
                          disbursementDate: disbursed, maturityDate: maturity, loanAmount: amount, loanTermDays: term,
                          interestRate: row.string(11).flatMap { Ratio4(exactly: $0) }, feeAmount: row.money(12),
                          repaymentEveryDays: row.int(13), sourceVersion: row.string(14) ?? "")
        case 1:
            guard let number = row.int(2), let due = row.date(3), let principal = row.money(4), let interest = row.money(5),
                  let fee = row.money(6) else { throw StreamError("loan \(id) has a malformed schedule row") }
            installments.append(Installment(number: Int32(number), dueDate: due, principalDue: principal, interestDue: interest, feeDue: fee))
        case 2:
            guard let repaymentID = row.string(2), let date = row.date(3), let principal = row.money(4),
                  let interest = row.money(5), let fees = row.money(6), let waiver = row.money(7),
                  let backdated = row.int(8), let reversed = row.int(9)
            else { throw StreamError("loan \(id) has a malformed repayment row") }
            repayments.append((repaymentID, RepaymentFacts(
                paymentDate: date, principalPaid: principal, interestPaid: interest, feesPaid: fees,
                waiverAmount: waiver, isBackdated: backdated == 1, isReversed: reversed == 1, reversalDate: row.date(10))))
        default:
            throw StreamError("unknown row kind \(kind)")
        }
        return finished
    }

    /// The ledger of the loan gathered so far, if any, and a fresh start.
    mutating func finish() throws -> (LoanLedger, String)? {
        defer {
            loanID = nil
            terms = nil
            installments.removeAll(keepingCapacity: true)
            repayments.removeAll(keepingCapacity: true)
        }
        guard let id = loanID else { return nil }
        guard let terms else {
            // Schedule or repayment rows of a loan outside the stream's filter cannot occur (joins).
            throw StreamError("loan \(id): schedule or repayment rows without the loan")
        }
        let schedule: LoanSchedule
        if installments.isEmpty {
            schedule = ScheduleGenerator.generate(
                loanAmount: terms.loanAmount, disbursementDate: terms.disbursementDate, maturityDate: terms.maturityDate,
                loanTermDays: terms.loanTermDays, interestRate: terms.interestRate, feeAmount: terms.feeAmount,
                repaymentEveryDays: terms.repaymentEveryDays)
        } else {
            schedule = LoanSchedule(installments: installments.sorted { $0.number < $1.number }, source: .given)
        }
        let sorted = repayments.sorted {
            $0.facts.paymentDate != $1.facts.paymentDate ? $0.facts.paymentDate < $1.facts.paymentDate
                : ByteOrder.precedes($0.id, $1.id)
        }
        let ledger = LoanLedger(loanId: id, officerId: terms.officerID, branch: terms.branch, channel: terms.channel,
                                status: terms.status, closedDate: terms.closedDate, disbursementDate: terms.disbursementDate,
                                loanAmount: terms.loanAmount, schedule: schedule, sortedRepayments: sorted.map(\.facts))
        return (ledger, terms.sourceVersion)
    }
}

/// The stream returned rows the builder cannot read.
struct StreamError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = "loan stream: " + description }
}
