/// The loan engine (METRICS 3): the state of one loan as of a date, from its ledger.
///
/// Pure functions over a ``LoanLedger``. The ledger's repayments are sorted once when it is
/// built; each evaluation walks them and the installments once, using only integer minor units
/// and day numbers, and allocates nothing unless installment detail is asked for. Effectiveness
/// depends on the as-of date (a reversal dated after D still pays at D), so every date is its own
/// walk: history is re-derived from the repayments effective at that date.
public enum LoanEngine {
    /// The loan-level state at `date` (no installment detail; no allocation).
    public static func snapshot(of ledger: LoanLedger, at date: CalendarDate) -> LoanSnapshot {
        var figures = LoanWindowFigures()
        var none: [InstallmentState]? = nil
        return evaluate(ledger, at: date, window: nil, figures: &figures, installments: &none)
    }

    /// The full state at `date`, with every installment's status, amount paid and covered date.
    public static func state(of ledger: LoanLedger, at date: CalendarDate) -> LoanState {
        var figures = LoanWindowFigures()
        var states: [InstallmentState]? = []
        states?.reserveCapacity(ledger.schedule.installments.count)
        let snapshot = evaluate(ledger, at: date, window: nil, figures: &figures, installments: &states)
        return LoanState(snapshot: snapshot, installments: states ?? [])
    }

    /// The loan-level states at several dates (e.g. D, D-7 and S), in the order given, from the
    /// ledger's single sort.
    public static func snapshots(of ledger: LoanLedger, at dates: [CalendarDate]) -> [LoanSnapshot] {
        dates.map { snapshot(of: ledger, at: $0) }
    }

    /// The snapshot at the window's as-of date plus the per-installment figures the officer
    /// metrics need (amount due in [D, D+7], fees due in MTD, on-time counts over T30).
    static func snapshot(
        of ledger: LoanLedger, in window: MetricsWindow, figures: inout LoanWindowFigures
    ) -> LoanSnapshot {
        var none: [InstallmentState]? = nil
        return evaluate(ledger, at: window.asOf, window: window, figures: &figures, installments: &none)
    }
}
