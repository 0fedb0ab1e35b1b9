import Testing
import AnalyticsCore

/// Properties of the engine and the aggregation over seeded random portfolios.
@Suite("Properties over generated loans")
struct PropertyTests {
    static let portfolio = RandomPortfolio(seed: 20_241_010, loans: 1500)
    static let ledgers = portfolio.ledgers
    static let dates = ["2024-07-15", "2024-09-14", "2024-10-10", "2024-11-01", "2025-02-28"].compactMap { CalendarDate(iso: $0) }

    @Test func generatedPortfolioPassesValidationRules() throws {
        // The generator must produce data the ingestion accepts, or the properties mean little: the
        // whole portfolio goes through the ingest validation (JSON text, JSONReader, BatchDecoder,
        // RecordDecoder's rules) and must come out without a problem and unchanged.
        let text = IngestPayload.batch(Self.portfolio).jsonText
        let result = BatchDecoder.decode(try JSONReader().parse(text))
        #expect(result.problems.isEmpty, "\(result.problems.prefix(5))")
        #expect(result.rejected.isEmpty)
        #expect(result.unknownFieldCounts.isEmpty, "\(result.unknownFieldCounts)")
        #expect(result.officers == Self.portfolio.officers)
        #expect(result.loans == Self.portfolio.loans)
        #expect(result.repayments == Self.portfolio.repayments)
    }

    @Test(arguments: dates)
    func loanInvariants(at date: CalendarDate) {
        for ledger in Self.ledgers where ledger.exists(at: date) {
            let state = LoanEngine.state(of: ledger, at: date)
            let s = state.snapshot
            let context = "loan \(ledger.loanId) at \(date)"
            #expect(s.principalOutstanding >= .zero && s.interestOutstanding >= .zero && s.feesOutstanding >= .zero, "\(context)")
            #expect(s.totalOutstanding >= .zero, "\(context)")
            #expect(s.dpdBucket == DPDBucket(dpd: s.currentDpd), "\(context)")
            #expect(s.currentDpd >= 0 && s.maxDpdEver >= s.currentDpd, "\(context)")
            // The stored form (loan_states keeps the anchors, the loans view derives the counts).
            #expect(s.currentDpd == (s.arrearsSince.map { Int(date.daysSinceEpoch - $0.daysSinceEpoch) } ?? 0), "\(context)")
            #expect(s.maxDpdEver == max(s.settledMaxDpd, s.currentDpd), "\(context)")
            if s.firstPaymentMissed, s.firstPaymentReceivedDate == nil, let due = s.firstPaymentDueDate {
                #expect(s.daysLate == Int(date.daysSinceEpoch - due.daysSinceEpoch), "\(context)")
            }
            #expect((0...100).contains(s.riskScore), "\(context)")
            let totalDue = state.installments.reduce(Money.zero) { $0 + $1.installment.totalDue }
            let paid = state.installments.reduce(Money.zero) { $0 + $1.amountPaid }
            #expect(paid == min(s.coveredToDate, totalDue), "\(context): sum amount_paid")
            for installment in state.installments {
                #expect(installment.unpaid >= .zero, "\(context)")
                #expect((installment.status == .paid) == (installment.coveredDate != nil), "\(context)")
                if let covered = installment.coveredDate { #expect(covered <= date, "\(context)") }
            }
            #expect(LoanEngine.snapshot(of: ledger, at: date) == s, "\(context): snapshot equals state")
        }
    }

    @Test(arguments: dates)
    func reversalAfterDateChangesNothing(at date: CalendarDate) {
        for ledger in Self.ledgers where ledger.exists(at: date) {
            guard let index = ledger.repayments.firstIndex(where: { $0.paymentDate <= date && !$0.isReversed }) else { continue }
            var changed = ledger
            let r = ledger.repayments[index]
            changed.repayments[index] = RepaymentFacts(
                paymentDate: r.paymentDate, principalPaid: r.principalPaid, interestPaid: r.interestPaid,
                feesPaid: r.feesPaid, waiverAmount: r.waiverAmount, isBackdated: r.isBackdated,
                isReversed: true, reversalDate: date + 1)
            #expect(LoanEngine.state(of: changed, at: date) == LoanEngine.state(of: ledger, at: date),
                    "loan \(ledger.loanId) at \(date)")
            // ...while at the reversal date it no longer pays.
            let later = LoanEngine.snapshot(of: changed, at: date + 1)
            #expect(later.coveredToDate == LoanEngine.snapshot(of: ledger, at: date + 1).coveredToDate - r.coveredAmount)
        }
    }

    @Test(arguments: dates)
    func officerScoresInRange(at date: CalendarDate) {
        let officers = Self.portfolio.officers
        var accumulator = PortfolioAccumulator()
        let channels = Dictionary(uniqueKeysWithValues: officers.map { ($0.officerId, $0.effectivePrimaryChannel) })
        let window = MetricsWindow(asOf: date)
        for ledger in Self.ledgers {
            accumulator.add(ledger, window: window, primaryChannel: channels[ledger.officerId] ?? "Direct")
        }
        for options in [MetricsOptions(), MetricsOptions(dqiUsesChannelPurity: false)] {
            for row in accumulator.finalise(officers: officers, window: window, options: options) {
                #expect((0...100).contains(row.riskScore), "officer \(row.officerId) at \(date)")
                #expect((0...100).contains(row.dqi), "officer \(row.officerId) at \(date)")
                #expect(row.riskBand == RiskBand(riskScore: row.riskScore))
            }
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func mergedAccumulatorsAreIdentical(seed: UInt64) throws {
        let date = try #require(CalendarDate(iso: "2024-10-17"))
        let window = MetricsWindow(asOf: date)
        let officers = Self.portfolio.officers
        let channels = Dictionary(uniqueKeysWithValues: officers.map { ($0.officerId, $0.effectivePrimaryChannel) })
        func accumulate(_ ledgers: some Sequence<LoanLedger>) -> PortfolioAccumulator {
            var a = PortfolioAccumulator()
            for l in ledgers { a.add(l, window: window, primaryChannel: channels[l.officerId] ?? "Direct") }
            return a
        }
        let whole = accumulate(Self.ledgers)
        var rng = SeededGenerator(seed: seed)
        var shuffled = Self.ledgers
        shuffled.shuffle(using: &rng)
        // Random split points into 1...8 chunks, then merge the chunks in a random order.
        var cuts = (0..<Int.random(in: 0...7, using: &rng)).map { _ in Int.random(in: 0...shuffled.count, using: &rng) }
        cuts = ([0] + cuts + [shuffled.count]).sorted()
        var chunks = zip(cuts, cuts.dropFirst()).map { accumulate(shuffled[$0..<$1]) }
        chunks.shuffle(using: &rng)
        var merged = PortfolioAccumulator()
        for chunk in chunks { merged.merge(chunk) }
        #expect(merged == whole)
        #expect(merged.finalise(officers: officers, window: window) == whole.finalise(officers: officers, window: window))
        // Pairwise merges in the other association give the same totals too.
        let right = chunks.reversed().reduce(PortfolioAccumulator()) { acc, chunk in
            var c = chunk
            c.merge(acc)
            return c
        }
        #expect(right == whole)
    }
}
