import AnalyticsCore
import AnalyticsStore

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
        /// The officer's primary channel as recorded (nil when none or no officer record), which
        /// the contribution used (`officer_primary_channel`).
        var officerChannel: String?
        /// The source version the stream saw and the state stored last time.
        var info: LoanStreamInfo
        /// The last date through which the stored row (state and contribution) stays the same with
        /// no new input: D, or later up to `validityHorizon` days (`loan_states.valid_through`).
        var validThrough: CalendarDate
    }

    /// At most how many days after D a loan's stored row is checked for (evaluated day by day,
    /// stopping at the first change): a row that holds longer is re-read when its validity ends.
    /// Each loan's horizon is between `validityHorizon - 7` and this, fixed by its id, so the
    /// rows of a book refreshed on one day do not all expire on the same later day.
    static let validityHorizon = 14

    /// The horizon of `loanID` (see `validityHorizon`).
    static func horizon(of loanID: String) -> Int {
        validityHorizon - Int(FNV1a.hash64(loanID.utf8) % 8)
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
    /// Officers' records, for channel purity (`Officer.effectivePrimaryChannel`).
    let officers: [String: Officer]

    var loans: [LoanRow] = []
    var sums = PortfolioAccumulator()
    var ledgers = 0
    /// The windows of D + 1 ... D + `validityHorizon`.
    private let laterWindows: [MetricsWindow]

    init(window: MetricsWindow, loanStates: Bool, officerSums: Bool, exposure: Bool, officers: [String: Officer]) {
        self.window = window
        self.keepLoanStates = loanStates
        self.keepOfficerSums = officerSums
        self.keepExposure = exposure
        self.officers = officers
        self.laterWindows = loanStates ? (1...Self.validityHorizon).map { MetricsWindow(asOf: window.asOf + $0) } : []
    }

    mutating func consume(_ ledger: LoanLedger, info: LoanStreamInfo) {
        ledgers += 1
        var contribution = OfficerAccumulator()
        // A loan whose officer has no record counts the default channel.
        let officer = officers[ledger.officerId]
        let channel = officer?.effectivePrimaryChannel ?? Officer.defaultPrimaryChannel
        let snapshot = contribution.add(ledger, window: window, primaryChannel: channel)
        if keepOfficerSums || keepExposure {
            sums.add(contribution, forOfficer: ledger.officerId)
        }
        if keepLoanStates {
            var row = LoanRow(loanID: ledger.loanId, officerID: ledger.officerId, snapshot: snapshot, contribution: contribution,
                              officerChannel: officer?.primaryChannel, info: info, validThrough: window.asOf)
            row.validThrough = validThrough(of: ledger, row, primaryChannel: channel)
            loans.append(row)
        }
    }

    mutating func reserve(_ count: Int) {
        if keepLoanStates { loans.reserveCapacity(count) }
    }

    mutating func append(_ later: consuming BookConsumer) {
        ledgers += later.ledgers
        sums.merge(later.sums)
        loans.append(contentsOf: later.loans)
    }

    /// The last day up to D + `horizon(of:)` on which the loan, evaluated with the same input,
    /// still has `row`'s stored row: the state in its stored form (`LoanStateWriter.StoredForm`,
    /// what `encodeState` writes) and the contribution to the officer's sums. The engine is
    /// evaluated on each day in turn, so the answer is exact whatever moves the row: a due date, a
    /// window's edge, a future-dated repayment or reversal, the mid-month anchor, a bucket threshold.
    private func validThrough(of ledger: LoanLedger, _ row: LoanRow, primaryChannel: String) -> CalendarDate {
        let stored = row.snapshot.map(LoanStateWriter.StoredForm.init)
        var valid = window.asOf
        for laterWindow in laterWindows.prefix(Self.horizon(of: row.loanID)) {
            var contribution = OfficerAccumulator()
            let later = contribution.add(ledger, window: laterWindow, primaryChannel: primaryChannel)
            guard contribution == row.contribution, later.map(LoanStateWriter.StoredForm.init) == stored else { break }
            valid = laterWindow.asOf
        }
        return valid
    }

    /// PAR15 exposure at D per officer, for every officer with a loan that exists at D (kept when
    /// asked for: from the officer sums).
    var exposure: [String: Exposure] {
        keepExposure ? sums.byOfficer.compactMapValues(Exposure.init(sums:)) : [:]
    }
}
