extension OfficerAccumulator {
    /// Adds one loan of the officer: evaluates it at D, D-7 and S (only where it matters) and adds
    /// its contributions. Loans that do not exist at D are ignored.
    ///
    /// - Parameters:
    ///   - ledger: the loan.
    ///   - window: the dates of D.
    ///   - primaryChannel: the officer's primary channel (``Officer/effectivePrimaryChannel``).
    /// - Returns: the loan's state at D that the contributions came from (the same as
    ///   ``LoanEngine/snapshot(of:at:)`` at D), or nil when the loan does not exist at D.
    @discardableResult
    public mutating func add(_ ledger: LoanLedger, window: MetricsWindow, primaryChannel: String) -> LoanSnapshot? {
        let d = window.asOf
        guard ledger.exists(at: d) else { return nil }
        existingLoans += 1
        var figures = LoanWindowFigures()
        let atD = LoanEngine.snapshot(of: ledger, in: window, figures: &figures)
        let isActive = atD.statusAsOf == .active
        let outstanding = atD.totalOutstanding

        if isActive {
            activeLoans += 1
            totalPortfolio += outstanding
            if atD.currentDpd > 15 {
                overdue15Count += 1
                overdue15Amount += outstanding
            }
            if atD.currentDpd >= 1, atD.currentDpd <= 6 { dpd1to6Balance += outstanding }
            amountDue7d.minorUnits += figures.amountDueSoon
            if ledger.channel == primaryChannel { channelMatchingActiveLoans += 1 }
        }
        if window.isInMonthToDate(ledger.disbursementDate) {
            disbursedMonthToDateCount += 1
            disbursedMonthToDateAmount += ledger.loanAmount
        }
        if let firstDue = atD.firstPaymentDueDate {
            if window.isInTrailing30(firstDue) {
                fimrCohort += 1
                if atD.firstPaymentMissed { fimrMissed += 1 }
            }
            if firstDue < d {
                allTimeFimrLoans += 1
                if atD.firstPaymentMissed { allTimeFimrMissed += 1 }
            }
        }
        feesDue.minorUnits += figures.feesDueMonthToDate
        installmentsDueTrailing += figures.installmentsDueTrailing
        installmentsOnTimeTrailing += figures.installmentsOnTimeTrailing

        addMonthToDateEntries(of: ledger, window: window)

        // Roll cohort: Active and in bucket 1-6 as of D-7, from the repayments effective then.
        let cohortDate = window.rollCohortDate
        if ledger.exists(at: cohortDate), ledger.status(at: cohortDate) == .active {
            let then = LoanEngine.snapshot(of: ledger, at: cohortDate)
            if then.dpdBucket == .days1to6 {
                rollCohortLoans += 1
                previousDpd1to6Balance += then.totalOutstanding
                if atD.dpdBucket == .days7to30 { movedTo7to30 += outstanding }
            }
        }

        // PAR15 exposure at the mid-month anchor S.
        let midMonth = window.midMonthDate
        if ledger.exists(at: midMonth), ledger.status(at: midMonth) == .active {
            let atS = LoanEngine.snapshot(of: ledger, at: midMonth)
            if atS.currentDpd > 15 { par15AtMidMonth += atS.totalOutstanding }
        }
        return atD
    }

    /// Repayment rows dated in MTD: entries (reversed or not), backdated, reversed as of D, and
    /// the collections of the effective ones.
    private mutating func addMonthToDateEntries(of ledger: LoanLedger, window: MetricsWindow) {
        let d = window.asOf
        for r in ledger.repayments {
            if r.paymentDate > d { break }
            guard r.paymentDate >= window.monthStart else { continue }
            totalEntries += 1
            if r.isBackdated { backdatedCount += 1 }
            if r.isReversed(asOf: d) {
                reversalsCount += 1
            } else {
                feesCollected += r.feesPaid
                interestCollected += r.interestPaid
                waiversAmount += r.waiverAmount
            }
        }
    }
}
