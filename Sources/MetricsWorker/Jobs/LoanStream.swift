import AnalyticsCore
import AnalyticsStore

/// What the stream knows of a loan besides its ledger: the source version the refresh records and
/// the state stored by the last refresh (for `dpd_transitions` and for writing only changed rows).
struct LoanStreamInfo: Sendable {
    /// `loan_sources.source_changed_at` as seen by the stream (microseconds since 2000-01-01 UTC),
    /// recorded as `loan_states.refreshed_source_at`; `noVersion` when the loan has no row there.
    var sourceVersion: Int64
    /// PostgreSQL's `-infinity` timestamp: the version of a loan whose `loan_sources` row is missing
    /// (every writer makes one through the insert trigger of `loan_accounts`; only a row deleted by
    /// hand is missing), stored as such.
    static let noVersion = Int64.min
    /// The stored state's bucket and date (nil when never refreshed or not existing then).
    var previousBucket: String?
    var previousAsOf: CalendarDate?
    /// The stored state's `state_hash` (nil when never refreshed).
    var previousHash: Int64?

    init(sourceVersion: Int64) {
        self.sourceVersion = sourceVersion
    }

    mutating func setPrevious(bucket: String?, asOf: CalendarDate?, hash: Int64?) {
        previousBucket = bucket
        previousAsOf = asOf
        previousHash = hash
    }
}

/// Something that consumes the engine ledgers of a loan stream, on the blocking thread.
/// The ledgers of a stream are cut into consecutive ranges consumed in parallel, each by a copy
/// of the consumer as given (`GatheredBook.consume(into:)`), and the copies are appended in order:
/// a consumer handed to a stream holds nothing yet.
protocol LedgerConsumer: Sendable {
    mutating func consume(_ ledger: LoanLedger, info: LoanStreamInfo)
    /// Makes room for `count` ledgers' results (the first range's copy, which the others are
    /// appended to, reserves the whole stream's).
    mutating func reserve(_ count: Int)
    /// Adds what `later` gathered from the ledgers that follow this one's in the stream.
    mutating func append(_ later: consuming Self)
}

/// Streams the loans (of a partition, or a set of loan ids) out of PostgreSQL with their given
/// schedules and repayments, and hands each loan's ledger to a consumer.
///
/// Binary `COPY ... TO STDOUT` streams in table order (no server-side sort, and the loans are not
/// joined to their versions or states): the versions and the stored states (into one dictionary), the loans, then the
/// repayments, then the given schedules; the rows are grouped by loan in memory (a loan's slot
/// from a dictionary, a counting sort by slot), so the server only scans. Memory holds the book's
/// repayments and installments compactly (about 70 bytes each), well under the worker's budget
/// for a million loans.
///
/// Generated schedules are not stored: AnalyticsCore builds them from the loan's terms (METRICS 2),
/// so there is one definition of the rule.
enum LoanStream {
    /// The session table naming the partition K/N the next streams are restricted to (one row).
    static let createPartitionTable = "CREATE TEMP TABLE IF NOT EXISTS job_partition (k integer NOT NULL, n integer NOT NULL)"

    /// The session table of loan ids that restricts a stream (`refresh-loans --changed-only`).
    static let createLoanTable = "CREATE TEMP TABLE IF NOT EXISTS job_loans (loan_id varchar(50) PRIMARY KEY)"

    /// Which loans a stream reads.
    enum Filter: Sendable {
        case all
        case partition
        case loans(partitioned: Bool)
    }

    /// The condition that `alias`'s `loan_id` is in the partition of `job_partition` (see
    /// `Partition`): on the row's own column, so a partition's stream is one scan of its table,
    /// sending 1/N of the rows, with no join. K and N come from the session table (COPY takes no
    /// parameters); the subqueries are evaluated once per statement.
    static func inPartition(_ alias: String) -> String {
        """
        (hashtextextended(\(alias).loan_id, 0) & 9223372036854775807) % (SELECT n FROM job_partition) = (SELECT k FROM job_partition)
        """
    }

    /// What restricts the rows of `alias` (whose `loan_id` names the loan) to the filter: a join
    /// with `job_loans` and/or the partition's condition.
    static func restrict(_ alias: String, _ filter: Filter) -> String {
        switch filter {
        case .all: return ""
        case .partition: return " WHERE " + inPartition(alias)
        case .loans(let partitioned):
            return " JOIN job_loans jl ON jl.loan_id = \(alias).loan_id" + (partitioned ? " WHERE " + inPartition(alias) : "")
        }
    }

    static func loansQuery(_ filter: Filter) -> String {
        """
        COPY (SELECT a.loan_id, a.officer_id, a.branch, a.channel, a.status, a.closed_date, a.disbursement_date,
                     a.maturity_date, a.loan_amount, a.loan_term_days, a.interest_rate::text, a.fee_amount,
                     a.repayment_every_days
              FROM loan_accounts a\(restrict("a", filter))
        ) TO STDOUT (FORMAT binary)
        """
    }

    /// The stored states the stream compares with (bucket, date, hash), a stream of its own read
    /// before the loans, like the versions. Joined to the loans instead, a next-day refresh had
    /// PostgreSQL hash one million-row table to probe it with the other, spilling past `work_mem`:
    /// on a kept 1,240,000-loan book that query took 7.4 s warm, against 1.9 s and 1.1 s apart.
    static func statesQuery(_ filter: Filter) -> String {
        """
        COPY (SELECT s.loan_id, s.dpd_bucket, s.computed_as_of, s.state_hash FROM loan_states s\(restrict("s", filter))) TO STDOUT (FORMAT binary)
        """
    }

    /// The loans' versions, a stream of their own, read before the loans. Joined to the loans
    /// above instead, PostgreSQL hashes one table to probe it with the other: at 1,240,000 loans
    /// that query took 1.9 s instead of 0.4, and a same-day `full-refresh` 33.6-40.8 s against
    /// 28.5-31.6 s reading them apart (one sequential scan and a dictionary). Read first, a
    /// version is never newer than the rows it stands for (the streams are separate statements):
    /// a change committed in between leaves a newer version than the one recorded, so the next
    /// changed-only refresh takes the loan again.
    static func versionsQuery(_ filter: Filter) -> String {
        """
        COPY (SELECT v.loan_id, v.source_changed_at FROM loan_sources v\(restrict("v", filter))) TO STDOUT (FORMAT binary)
        """
    }

    static func repaymentsQuery(_ filter: Filter) -> String {
        """
        COPY (SELECT r.loan_id, r.repayment_id, r.payment_date, r.principal_paid, r.interest_paid, r.fees_paid,
                     r.waiver_amount, r.is_backdated, r.is_reversed, r.reversal_date
              FROM repayments r\(restrict("r", filter))
        ) TO STDOUT (FORMAT binary)
        """
    }

    static func scheduleQuery(_ filter: Filter) -> String {
        """
        COPY (SELECT s.loan_id, s.installment_number, s.due_date, s.principal_due, s.interest_due, s.fee_due
              FROM loan_schedule s\(restrict("s", filter))
        ) TO STDOUT (FORMAT binary)
        """
    }

    /// Restricts the next streams on `connection` with `.partition` filters to `partition`'s loans.
    static func selectPartition(_ partition: Partition, on connection: PostgresConnection) async throws {
        guard !partition.isWhole else { return }
        try await connection.execute(createPartitionTable)
        try await connection.execute("TRUNCATE job_partition")
        try await connection.execute("INSERT INTO job_partition (k, n) VALUES ($1, $2)", [partition.index, partition.count])
    }

    /// Restricts the next streams on `connection` to the loans `ids` and every loan of the
    /// officers `officers` (the daemon's batch): stream them with `filter: .loans(partitioned: false)`.
    static func selectLoans(_ ids: [String], ofOfficers officers: [String], on connection: PostgresConnection) async throws {
        var queries: [(String, PostgresBindings)] = [("SELECT DISTINCT unnest($1::text[])", [ids])]
        if !officers.isEmpty { queries.append(("SELECT loan_id FROM loan_accounts WHERE officer_id = ANY($1)", [officers])) }
        _ = try await selectLoans(queries, on: connection)
    }

    /// Restricts the next streams on `connection` to the loans the `queries` return (SQL queries
    /// returning `loan_id`s, each with its bindings); returns how many loans that is.
    static func selectLoans(_ queries: [(String, PostgresBindings)], on connection: PostgresConnection) async throws -> Int {
        try await connection.execute(createLoanTable)
        try await connection.execute("TRUNCATE job_loans")
        var count = 0
        for (query, bindings) in queries {
            count += try await connection.execute("INSERT INTO job_loans (loan_id) \(query) ON CONFLICT DO NOTHING", bindings)
        }
        try await connection.execute("ANALYZE job_loans")
        return count
    }

    /// Runs the stream through `consumer` and returns it with everything it gathered.
    /// `share` is the part of the book a `.partition` filter takes (N of K/N).
    static func run<C: LedgerConsumer>(on connection: PostgresConnection, filter: Filter, share: Int = 1, _ consumer: C) async throws -> C {
        // A whole-book or partition pass sizes its arrays from the planner's row counts up front:
        // growing a ten-million-row array by doubling would briefly hold it twice.
        var expected = (loans: 0, repayments: 0, installments: 0)
        var divisor = 0
        switch filter {
        case .all: divisor = 1
        case .partition: divisor = max(share, 1)
        case .loans: break
        }
        if divisor > 0 {
            let rows = try await connection.query("""
                SELECT (SELECT reltuples FROM pg_class WHERE oid = 'loan_accounts'::regclass)::float8 AS loans,
                       (SELECT reltuples FROM pg_class WHERE oid = 'repayments'::regclass)::float8 AS repayments,
                       (SELECT reltuples FROM pg_class WHERE oid = 'loan_schedule'::regclass)::float8 AS installments
                """)
            func estimate(_ column: String) throws -> Int {
                let value = try rows[0].decode(Double.self, column)
                return value > 0 && value < 1e9 ? Int(value * 1.05 / Double(divisor)) + 1_000 : 0
            }
            expected = (try estimate("loans"), try estimate("repayments"), try estimate("installments"))
        }
        var book = try await readLoans(on: connection, filter: filter, expected: expected.loans)
        PhaseLog(job: "loan_stream").log("loans_read", ["loans": book.terms.count])
        // (Each array is reserved in the closure that fills it: the captured copy owns it alone.)
        book = try await connection.copyOutBinary(repaymentsQuery(filter)) { [book, expected] reader in
            var book = book
            book.repayments.reserveCapacity(expected.repayments)
            try readAll(&reader, "reading repayments", expected: expected.repayments) { try book.addRepayment($0) }
            return book
        }
        PhaseLog(job: "loan_stream").log("repayments_read", ["repayments": book.repayments.count])
        // The schedules, then the engine over every ledger: on the blocking thread and threads of
        // Dispatch's pool (`GatheredBook.consume(into:)`), never the cooperative pool.
        return try await connection.copyOutBinary(scheduleQuery(filter)) { [book, expected] reader in
            var book = book
            book.installments.reserveCapacity(expected.installments)
            try readAll(&reader, "reading schedules", expected: expected.installments) { try book.addInstallment($0) }
            return book.consume(into: consumer)
        }
    }

    /// The loans of the stream with their versions and stored states (`versionsQuery` and
    /// `statesQuery`, read first into one dictionary, gone when this returns).
    private static func readLoans(on connection: PostgresConnection, filter: Filter, expected: Int) async throws -> GatheredBook {
        var known = try await connection.copyOutBinary(versionsQuery(filter)) { reader in
            var known: [String: LoanStreamInfo] = [:]
            known.reserveCapacity(expected)
            try readAll(&reader, "reading versions", expected: expected) { row in
                guard let id = row.string(0), let version = try row.int64(1) else { throw StreamError("a malformed loan_sources row") }
                known[id] = LoanStreamInfo(sourceVersion: version)
            }
            return known
        }
        known = try await connection.copyOutBinary(statesQuery(filter)) { [known] reader in
            var known = known
            try readAll(&reader, "reading stored states", expected: expected) { row in
                guard let id = row.string(0) else { throw StreamError("a loan_states row without loan_id") }
                let asOf = try row.date(2), hash = try row.int64(3)
                known[id, default: LoanStreamInfo(sourceVersion: LoanStreamInfo.noVersion)].setPrevious(
                    bucket: row.string(1), asOf: asOf, hash: hash)
            }
            return known
        }
        return try await connection.copyOutBinary(loansQuery(filter)) { [known] reader in
            var book = GatheredBook()
            book.slots.reserveCapacity(expected)
            book.terms.reserveCapacity(expected)
            try readAll(&reader, "reading loans", expected: expected) { try book.addLoan($0, known: known) }
            return book
        }
    }

    /// Feeds every row of a copy to `add`, showing rows/s and the ETA on a terminal (`expected`
    /// is the planner's estimate, 0 when unknown).
    private static func readAll(_ reader: inout PostgresBinaryCopyReader, _ label: String, expected: Int,
                                _ add: (PostgresBinaryCopyReader) throws -> Void) throws {
        let progress = Progress(label: label, total: expected > 0 ? expected : nil)
        while try reader.next() {
            try add(reader)
            if reader.rowCount & 0xFFFF == 0 { progress.update(reader.rowCount) }
        }
        progress.finish()
    }
}

/// The rows of a stream, grouped by loan slot.
struct GatheredBook: Sendable {
    struct Terms: Sendable {
        var loanID: String
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
        var info: LoanStreamInfo
    }

    struct RepaymentRow: Sendable {
        var slot: Int32
        var id: String
        var facts: RepaymentFacts
    }

    struct InstallmentRow: Sendable {
        var slot: Int32
        var installment: Installment
    }

    var slots: [String: Int32] = [:]
    var terms: [Terms] = []
    var repayments: [RepaymentRow] = []
    var installments: [InstallmentRow] = []
    /// The last loan id looked up and its slot: rows of one loan usually arrive together.
    private var lastID: [UInt8] = []
    private var lastSlot: Int32 = -1

    mutating func addLoan(_ row: PostgresBinaryCopyReader, known: [String: LoanStreamInfo]) throws {
        guard let id = row.string(0) else { throw StreamError("a loan row without loan_id") }
        guard let officer = row.string(1), let branch = row.string(2), let channel = row.string(3),
              let statusText = row.string(4), let status = LoanStatus(rawValue: statusText),
              let disbursed = try row.date(6), let maturity = try row.date(7), let amount = try row.money(8),
              let term = try row.int(9)
        else { throw StreamError("loan \(id) has a malformed row") }
        let rate: Ratio4?
        if let text = row.string(10) {
            guard let value = Ratio4(exactly: text) else { throw StreamError("loan \(id) has interest_rate \(text)") }
            rate = value
        } else {
            rate = nil
        }
        slots[id] = Int32(terms.count)
        terms.append(Terms(loanID: id, officerID: officer, branch: branch, channel: channel, status: status,
                           closedDate: try row.date(5), disbursementDate: disbursed, maturityDate: maturity,
                           loanAmount: amount, loanTermDays: term, interestRate: rate, feeAmount: try row.money(11),
                           repaymentEveryDays: try row.int(12),
                           info: known[id] ?? LoanStreamInfo(sourceVersion: LoanStreamInfo.noVersion)))
    }

    /// The slot of the loan named by field 0 (nil when the loan is not in the stream).
    private mutating func slot(_ row: PostgresBinaryCopyReader) throws -> Int32? {
        if lastSlot >= 0, row.field(0, equals: lastID) { return lastSlot }
        guard let bytes = row.bytes(0) else { throw StreamError("a row without loan_id") }
        guard let slot = slots[String(decoding: bytes, as: UTF8.self)] else { return nil }
        lastID = Array(bytes)
        lastSlot = slot
        return slot
    }

    mutating func addRepayment(_ row: PostgresBinaryCopyReader) throws {
        // A repayment of a loan outside the stream cannot occur (the same filter); skip defensively.
        guard let slot = try slot(row) else { return }
        guard let id = row.string(1), let date = try row.date(2), let principal = try row.money(3),
              let interest = try row.money(4), let fees = try row.money(5), let waiver = try row.money(6),
              let backdated = try row.bool(7), let reversed = try row.bool(8)
        else { throw StreamError("loan \(terms[Int(slot)].loanID) has a malformed repayment row") }
        repayments.append(RepaymentRow(slot: slot, id: id, facts: RepaymentFacts(
            paymentDate: date, principalPaid: principal, interestPaid: interest, feesPaid: fees,
            waiverAmount: waiver, isBackdated: backdated, isReversed: reversed, reversalDate: try row.date(9))))
    }

    mutating func addInstallment(_ row: PostgresBinaryCopyReader) throws {
        guard let slot = try slot(row) else { return }
        guard let number = try row.int(1), let due = try row.date(2), let principal = try row.money(3),
              let interest = try row.money(4), let fee = try row.money(5)
        else { throw StreamError("loan \(terms[Int(slot)].loanID) has a malformed schedule row") }
        installments.append(InstallmentRow(slot: slot, installment: Installment(
            number: Int32(number), dueDate: due, principalDue: principal, interestDue: interest, feeDue: fee)))
    }

    /// Indexes of `slots` grouped by slot (a counting sort), with each slot's range.
    private static func group(_ count: Int, slots: some Collection<Int32>) -> (order: [Int32], starts: [Int]) {
        var starts = [Int](repeating: 0, count: count + 1)
        for slot in slots { starts[Int(slot) + 1] += 1 }
        for i in 0..<count { starts[i + 1] += starts[i] }
        var next = starts
        var order = [Int32](repeating: 0, count: slots.count)
        for (index, slot) in slots.enumerated() {
            order[next[Int(slot)]] = Int32(index)
            next[Int(slot)] += 1
        }
        return (order, starts)
    }

    /// Each loan's repayment and installment rows, grouped once for any number of passes.
    struct Grouping: Sendable {
        fileprivate let repayments: (order: [Int32], starts: [Int])
        fileprivate let installments: (order: [Int32], starts: [Int])
    }

    /// Groups the rows by loan (a counting sort per table).
    func grouping() -> Grouping {
        Grouping(repayments: Self.group(terms.count, slots: repayments.lazy.map(\.slot)),
                 installments: Self.group(terms.count, slots: installments.lazy.map(\.slot)))
    }

    /// Builds the ledger of each loan of `slots`, in stream order, and hands it to `body`.
    func forEachLedger(slots: Range<Int>, grouping: Grouping, _ body: (LoanLedger, LoanStreamInfo) throws -> Void) rethrows {
        let byLoan = grouping.repayments
        let scheduleByLoan = grouping.installments
        var facts: [(id: String, facts: RepaymentFacts)] = []
        var given: [Installment] = []
        for slot in slots {
            let terms = terms[slot]
            facts.removeAll(keepingCapacity: true)
            for k in byLoan.starts[slot]..<byLoan.starts[slot + 1] {
                let row = repayments[Int(byLoan.order[k])]
                facts.append((row.id, row.facts))
            }
            given.removeAll(keepingCapacity: true)
            for k in scheduleByLoan.starts[slot]..<scheduleByLoan.starts[slot + 1] {
                given.append(installments[Int(scheduleByLoan.order[k])].installment)
            }
            let schedule: LoanSchedule
            if given.isEmpty {
                schedule = ScheduleGenerator.generate(
                    loanAmount: terms.loanAmount, disbursementDate: terms.disbursementDate, maturityDate: terms.maturityDate,
                    loanTermDays: terms.loanTermDays, interestRate: terms.interestRate, feeAmount: terms.feeAmount,
                    repaymentEveryDays: terms.repaymentEveryDays)
            } else {
                schedule = LoanSchedule(installments: given.sorted { $0.number < $1.number }, source: .given)
            }
            facts.sort {
                $0.facts.paymentDate != $1.facts.paymentDate ? $0.facts.paymentDate < $1.facts.paymentDate
                    : ByteOrder.precedes($0.id, $1.id)
            }
            let ledger = LoanLedger(loanId: terms.loanID, officerId: terms.officerID, branch: terms.branch,
                                    channel: terms.channel, status: terms.status, closedDate: terms.closedDate,
                                    disbursementDate: terms.disbursementDate, loanAmount: terms.loanAmount,
                                    schedule: schedule, sortedRepayments: facts.map(\.facts))
            try body(ledger, terms.info)
        }
    }
}

/// The stream returned rows the builder cannot read.
struct StreamError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = "loan stream: " + description }
}
