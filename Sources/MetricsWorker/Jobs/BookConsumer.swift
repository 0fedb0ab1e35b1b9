import AnalyticsCore

/// What one pass over the loans gathers for the jobs of D: the loans' states at D (for
/// `refresh-loans`), the officer sums (for `calculate-officer-metrics`), and the PAR15 exposure at
/// D (for `capture-par15-snapshot`). Each part is only kept when asked for.
struct BookConsumer: LedgerConsumer {
    struct LoanRow: Sendable {
        var loanID: String
        var officerID: String
        /// The loan's state at D, or nil when the loan does not exist at D (its columns stay as they are).
        var snapshot: LoanSnapshot?
        /// The source version the stream saw and the state stored last time.
        var info: LoanStreamInfo
    }

    struct Exposure: Sendable, Equatable {
        var amount = Money.zero
        var count = 0
    }

    let window: MetricsWindow
    let keepLoanStates: Bool
    let keepOfficerSums: Bool
    let keepExposure: Bool
    /// Officers' primary channels (null = Direct), for channel purity.
    let primaryChannels: [String: String]

    var loans: [LoanRow] = []
    var sums = PortfolioAccumulator()
    /// PAR15 exposure at D per officer, for every officer with a loan that exists at D.
    var exposure: [String: Exposure] = [:]
    var ledgers = 0

    init(window: MetricsWindow, loanStates: Bool, officerSums: Bool, exposure: Bool, primaryChannels: [String: String]) {
        self.window = window
        self.keepLoanStates = loanStates
        self.keepOfficerSums = officerSums
        self.keepExposure = exposure
        self.primaryChannels = primaryChannels
    }

    mutating func consume(_ ledger: LoanLedger, info: LoanStreamInfo) {
        ledgers += 1
        if keepOfficerSums {
            sums.add(ledger, window: window, primaryChannel: primaryChannels[ledger.officerId] ?? "Direct")
        }
        guard ledger.exists(at: window.asOf) else {
            if keepLoanStates {
                loans.append(LoanRow(loanID: ledger.loanId, officerID: ledger.officerId, snapshot: nil, info: info))
            }
            return
        }
        guard keepLoanStates || keepExposure else { return }
        let snapshot = LoanEngine.snapshot(of: ledger, at: window.asOf)
        if keepLoanStates {
            loans.append(LoanRow(loanID: ledger.loanId, officerID: ledger.officerId, snapshot: snapshot, info: info))
        }
        if keepExposure {
            var entry = exposure[ledger.officerId] ?? Exposure()
            if snapshot.statusAsOf == .active && snapshot.currentDpd > 15 {
                entry.amount += snapshot.totalOutstanding
                entry.count += 1
            }
            exposure[ledger.officerId] = entry
        }
    }
}
