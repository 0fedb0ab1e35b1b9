import AnalyticsCore

/// What one pass over the loans gathers for the jobs of D: the loans' states at D (for
/// `refresh-loans`), the officer sums (for `calculate-officer-metrics`), and the PAR15 exposure at
/// D (for `capture-par15-snapshot`). Each part is only kept when asked for.
///
/// Every loan is evaluated once, through `OfficerAccumulator.add`: its sums (its contribution to
/// its officer's row) and its state at D come from the same evaluation. The states keep the
/// contribution beside them (`loan_states.contrib_*`), so the daemon re-sums an officer from the
/// stored contributions instead of re-reading the officer's whole book.
struct BookConsumer: LedgerConsumer {
    struct LoanRow: Sendable {
        var loanID: String
        var officerID: String
        /// The loan's state at D, or nil when the loan does not exist at D (its columns stay as they are).
        var snapshot: LoanSnapshot?
        /// The loan's contribution to its officer's sums at D (empty when it does not exist at D).
        var contribution: OfficerAccumulator
        /// The source version the stream saw and the state stored last time.
        var info: LoanStreamInfo
    }

    struct Exposure: Sendable, Equatable {
        var amount = Money.zero
        var count = 0

        /// PAR15 exposure at D of an officer whose loans existing at D summed to `sums` (nil when
        /// none existed: no snapshot row). The rule of METRICS `par15_snapshots` is the one of
        /// `overdue_15d_amount`/`overdue_15d_count`: Active at D and more than 15 days past due.
        init?(sums: OfficerAccumulator) {
            guard sums.existingLoans > 0 else { return nil }
            amount = sums.overdue15Amount
            count = sums.overdue15Count
        }
    }

    let window: MetricsWindow
    let keepLoanStates: Bool
    let keepOfficerSums: Bool
    let keepExposure: Bool
    /// Officers' primary channels (null = Direct), for channel purity.
    let primaryChannels: [String: String]

    var loans: [LoanRow] = []
    var sums = PortfolioAccumulator()
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
        var contribution = OfficerAccumulator()
        let snapshot = contribution.add(ledger, window: window, primaryChannel: primaryChannels[ledger.officerId] ?? "Direct")
        if keepOfficerSums || keepExposure {
            sums.add(contribution, forOfficer: ledger.officerId)
        }
        if keepLoanStates {
            loans.append(LoanRow(loanID: ledger.loanId, officerID: ledger.officerId, snapshot: snapshot,
                                 contribution: contribution, info: info))
        }
    }

    /// PAR15 exposure at D per officer, for every officer with a loan that exists at D (kept when
    /// asked for: from the officer sums).
    var exposure: [String: Exposure] {
        keepExposure ? sums.byOfficer.compactMapValues(Exposure.init(sums:)) : [:]
    }
}
