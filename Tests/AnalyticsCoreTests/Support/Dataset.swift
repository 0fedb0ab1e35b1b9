import AnalyticsCore

/// A decoded batch turned into engine inputs, with helpers to compute every output at a date.
struct Dataset {
    var batch: BatchDecoder.Result
    var officers: [Officer]
    var ledgers: [LoanLedger]

    init(batch: BatchDecoder.Result) {
        self.batch = batch
        var officers = batch.officers
        let known = Set(officers.map(\.officerId))
        for loan in batch.loans where !known.contains(loan.officerId) {
            officers.append(Officer(placeholderFor: loan))
        }
        self.officers = officers
        var byLoan: [String: [Repayment]] = [:]
        for repayment in batch.repayments { byLoan[repayment.loanId, default: []].append(repayment) }
        self.ledgers = batch.loans.map { LoanLedger(loan: $0, repayments: byLoan[$0.loanId] ?? []) }
    }

    init(json: JSONValue) {
        self.init(batch: BatchDecoder.decode(json))
    }

    /// States of the loans that exist at `date`, by loan id.
    func loanStates(at date: CalendarDate) -> [String: (LoanLedger, LoanState)] {
        var result: [String: (LoanLedger, LoanState)] = [:]
        for ledger in ledgers where ledger.exists(at: date) {
            result[ledger.loanId] = (ledger, LoanEngine.state(of: ledger, at: date))
        }
        return result
    }

    func accumulate(at date: CalendarDate, ledgers subset: [LoanLedger]? = nil) -> PortfolioAccumulator {
        let window = MetricsWindow(asOf: date)
        let channels = Dictionary(officers.map { ($0.officerId, $0.effectivePrimaryChannel) }, uniquingKeysWith: { $1 })
        var accumulator = PortfolioAccumulator()
        for ledger in subset ?? ledgers {
            accumulator.add(ledger, window: window, primaryChannel: channels[ledger.officerId] ?? "Direct")
        }
        return accumulator
    }

    func officerRows(at date: CalendarDate, options: MetricsOptions = MetricsOptions()) -> [OfficerMetricsRow] {
        accumulate(at: date).finalise(officers: officers, window: MetricsWindow(asOf: date), options: options)
    }
}
