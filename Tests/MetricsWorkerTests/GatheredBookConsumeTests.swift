import AnalyticsCore
import Testing

@testable import MetricsWorker

/// The engine's pass over a gathered book, cut into ranges run on every core and appended in
/// order, gives what one pass in stream order gives: the same rows in the same order, the same
/// officer sums. (The jobs' tests check it against expected figures and against other runs; this
/// one against the sequential pass itself, with no database.)
@Suite struct GatheredBookConsumeTests {
    @Test(arguments: [0, 1, 7, 8, 9, 64, 1_000])
    func rangesAreConsecutiveAndCoverEveryLoan(count: Int) {
        for cores in [1, 2, 3, 16] {
            let ranges = GatheredBook.ranges(count: count, cores: cores)
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(ranges.count <= max(1, cores * GatheredBook.rangesPerCore))
            #expect(ranges.count == 1 || ranges.allSatisfy { $0.count >= GatheredBook.minimumLoansPerRange })
        }
    }

    @Test(arguments: [UInt64(5), 11])
    func theParallelPassEqualsOneSequentialPass(seed: UInt64) throws {
        let asOf = try #require(CalendarDate(iso: "2024-11-15"))
        var live = LiveBook(seed: seed, asOf: asOf)
        _ = live.base(officers: 9, loans: 700)
        for _ in 0..<6 { _ = live.changes(80) }
        let book = try Self.gathered(live)
        let officers = Dictionary(uniqueKeysWithValues: live.officers.values.map { record in
            (record.id, Officer(officerId: record.id, officerName: "Officer \(record.id)", region: record.region, branch: record.branch,
                                primaryChannel: record.primaryChannel))
        })
        let consumer = BookConsumer(window: MetricsWindow(asOf: asOf), loanStates: true, officerSums: true, exposure: true,
                                    officers: officers)

        var sequential = consumer
        book.forEachLedger(slots: book.terms.indices, grouping: book.grouping()) { sequential.consume($0, info: $1) }

        for cores in [1, 2, 16] {
            #expect(GatheredBook.ranges(count: book.terms.count, cores: cores).count == cores * GatheredBook.rangesPerCore)
            let parallel = book.consume(into: consumer, cores: cores)
            #expect(parallel.ledgers == sequential.ledgers && parallel.ledgers == book.terms.count)
            #expect(parallel.sums == sequential.sums)
            #expect(parallel.exposure == sequential.exposure)
            #expect(parallel.loans.count == sequential.loans.count)
            var differing = 0
            for (a, b) in zip(parallel.loans, sequential.loans)
            where a.loanID != b.loanID || a.officerID != b.officerID || a.snapshot != b.snapshot || a.contribution != b.contribution
                || a.officerChannel != b.officerChannel || a.validThrough != b.validThrough {
                differing += 1
            }
            #expect(differing == 0, "\(cores) cores")
        }
        // Officer sums alone (the officer job): the same sums, no rows.
        let sumsOnly = BookConsumer(window: MetricsWindow(asOf: asOf), loanStates: false, officerSums: true, exposure: false,
                                    officers: officers)
        let parallelSums = book.consume(into: sumsOnly, cores: 2)
        #expect(parallelSums.sums == sequential.sums && parallelSums.loans.isEmpty && parallelSums.ledgers == book.terms.count)
        // The book is not trivial: loans in arrears, rows that hold past D, and rows that do not.
        #expect(sequential.loans.contains { ($0.snapshot?.currentDpd ?? 0) > 30 })
        #expect(sequential.loans.contains { $0.validThrough > asOf } && sequential.loans.contains { $0.validThrough == asOf })
    }

    /// The live book's loans, repayments and given schedules as a stream would gather them (in
    /// the stream's order: loans by id, rows in no particular order of loan).
    static func gathered(_ live: LiveBook) throws -> GatheredBook {
        var book = GatheredBook()
        for loan in live.loans.values.sorted(by: { $0.id < $1.id }) {
            let status = try #require(LoanStatus(rawValue: loan.status))
            book.slots[loan.id] = Int32(book.terms.count)
            book.terms.append(GatheredBook.Terms(
                loanID: loan.id, officerID: loan.officer, branch: live.officers[loan.officer]?.branch ?? "Branch A",
                channel: loan.channel, status: status, closedDate: loan.closed, disbursementDate: loan.disbursed,
                maturityDate: loan.maturity, loanAmount: loan.amount, loanTermDays: loan.term,
                interestRate: Ratio4(scaled: loan.rate), feeAmount: loan.fee, repaymentEveryDays: loan.every,
                info: LoanStreamInfo(sourceVersion: 1)))
            if let given = loan.givenEvery {
                for installment in loan.schedule(every: given).installments {
                    book.installments.append(GatheredBook.InstallmentRow(slot: Int32(book.terms.count - 1), installment: installment))
                }
            }
        }
        for repayment in live.repayments.values.sorted(by: { $0.id > $1.id }) {
            let slot = try #require(book.slots[repayment.loan])
            book.repayments.append(GatheredBook.RepaymentRow(slot: slot, id: repayment.id, facts: RepaymentFacts(
                paymentDate: repayment.date, principalPaid: repayment.principal, interestPaid: repayment.interest,
                feesPaid: repayment.fees, waiverAmount: repayment.waiver, isBackdated: repayment.backdated,
                isReversed: repayment.reversed, reversalDate: repayment.reversalDate)))
        }
        return book
    }
}
