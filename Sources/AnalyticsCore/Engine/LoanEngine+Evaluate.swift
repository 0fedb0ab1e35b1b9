extension LoanEngine {
    /// The one walk behind every evaluation. See METRICS 3 for the rules it implements.
    @inline(__always)
    static func evaluate(
        _ ledger: LoanLedger, at date: CalendarDate, window: MetricsWindow?,
        figures: inout LoanWindowFigures, installments states: inout [InstallmentState]?
    ) -> LoanSnapshot {
        let day = date.daysSinceEpoch
        let repayments = ledger.repayments
        let installments = ledger.schedule.installments

        // Pass 1: totals over the repayments effective at D. Rows are sorted by date, so the
        // first row after D ends the scan; `cutoff` bounds the waterfall below too.
        var principalPaid: Int64 = 0
        var interestPaid: Int64 = 0
        var feesPaid: Int64 = 0
        var lastPaymentDay: Int32?
        var cutoff = repayments.count
        for (i, r) in repayments.enumerated() {
            if r.paymentDate.daysSinceEpoch > day {
                cutoff = i
                break
            }
            guard day < r.reversedFromDay else { continue }
            principalPaid += r.principalPaid.minorUnits
            interestPaid += r.interestPaid.minorUnits
            feesPaid += r.feesPaid.minorUnits
            lastPaymentDay = r.paymentDate.daysSinceEpoch
        }
        let coveredAtD = principalPaid + interestPaid + feesPaid

        // Pass 2: the waterfall. `covered` (P so far) advances through the effective rows only
        // while it is below the cumulative due C_i; the row that crosses C_i dates the cover.
        var covered: Int64 = 0
        var lastCrossingDay: Int32 = 0
        var next = 0
        var cumulativeDue: Int64 = 0
        var previousCover: Int32? = Int32.min
        var currentDpd = 0
        var foundLate = false
        var maxDpd = 0
        var settledMaxDpd = 0
        var openMaxDpd = 0
        var arrearsSince: Int32?
        var firstDue: Int32?
        var firstReceived: Int32?
        var nextDue: Int32?
        for (index, inst) in installments.enumerated() {
            let total = inst.totalDue.minorUnits
            let due = inst.dueDate.daysSinceEpoch
            let dueBefore = cumulativeDue
            cumulativeDue += total
            var cover: Int32?
            if total == 0 {
                // Zero-total: covered on its due date when every earlier one is covered by then,
                // else together with the one before it; never while an earlier one is uncovered.
                cover = previousCover.map { max($0, due) }
            } else {
                while covered < cumulativeDue, next < cutoff {
                    let r = repayments[next]
                    next += 1
                    guard day < r.reversedFromDay else { continue }
                    covered += r.coveredAmount.minorUnits
                    lastCrossingDay = r.paymentDate.daysSinceEpoch
                }
                cover = covered >= cumulativeDue ? lastCrossingDay : nil
            }
            previousCover = cover
            let coverDay = cover ?? Int32.max
            let isPaid = coverDay <= day
            if index == 0 {
                firstDue = due
                firstReceived = isPaid ? coverDay : nil
            }
            if !isPaid {
                if due < day, !foundLate {
                    foundLate = true
                    currentDpd = Int(day - due)
                    arrearsSince = due
                }
                if due >= day, nextDue == nil { nextDue = due }
            }
            // The last late day is the day before the cover, or D when not covered by D.
            let lastLateDay = coverDay <= day ? coverDay - 1 : day
            maxDpd = max(maxDpd, Int(lastLateDay) - Int(due))
            if isPaid {
                settledMaxDpd = max(settledMaxDpd, Int(lastLateDay) - Int(due))
            } else {
                openMaxDpd = max(openMaxDpd, Int(day) - Int(due))
            }

            let amountPaid = min(max(coveredAtD - dueBefore, 0), total)
            if let window {
                if window.isDueSoon(inst.dueDate) { figures.amountDueSoon += total - amountPaid }
                if window.isInMonthToDate(inst.dueDate) { figures.feesDueMonthToDate += inst.feeDue.minorUnits }
                if window.isInTrailing30(inst.dueDate) {
                    figures.installmentsDueTrailing += 1
                    if coverDay <= due { figures.installmentsOnTimeTrailing += 1 }
                }
            }
            if states != nil {
                let status: InstallmentStatus =
                    isPaid ? .paid : (coveredAtD > dueBefore && total > 0 ? .partial : .pending)
                states?.append(InstallmentState(
                    installment: inst, status: status, amountPaid: Money(minorUnits: amountPaid),
                    coveredDate: isPaid ? CalendarDate(daysSinceEpoch: coverDay) : nil
                ))
            }
        }

        // An installment not Paid at D that fell due before the one `current_dpd` counts from (a
        // schedule not in due-date order) makes the maximum grow faster than the DPD: then the
        // whole maximum is "settled", so the stored state changes daily and is refreshed daily.
        if openMaxDpd > currentDpd { settledMaxDpd = maxDpd }
        let missed: Bool
        let daysLate: Int
        if let firstDue, firstDue < day, firstReceived.map({ $0 > firstDue }) ?? true {
            missed = true
            daysLate = Int((firstReceived ?? day) - firstDue)
        } else {
            missed = false
            daysLate = 0
        }
        return LoanSnapshot(
            asOf: date,
            statusAsOf: ledger.status(at: date),
            currentDpd: currentDpd,
            maxDpdEver: maxDpd,
            arrearsSince: arrearsSince.map(CalendarDate.init(daysSinceEpoch:)),
            settledMaxDpd: settledMaxDpd,
            totalPrincipalPaid: Money(minorUnits: principalPaid),
            totalInterestPaid: Money(minorUnits: interestPaid),
            totalFeesPaid: Money(minorUnits: feesPaid),
            principalOutstanding: Money(minorUnits: max(0, ledger.loanAmount.minorUnits - principalPaid)),
            interestOutstanding: Money(minorUnits: max(0, ledger.schedule.interestTotal.minorUnits - interestPaid)),
            feesOutstanding: Money(minorUnits: max(0, ledger.schedule.feeTotal.minorUnits - feesPaid)),
            coveredToDate: Money(minorUnits: coveredAtD),
            firstPaymentDueDate: firstDue.map(CalendarDate.init(daysSinceEpoch:)),
            firstPaymentReceivedDate: firstReceived.map(CalendarDate.init(daysSinceEpoch:)),
            firstPaymentMissed: missed,
            daysLate: daysLate,
            lastPaymentDate: lastPaymentDay.map(CalendarDate.init(daysSinceEpoch:)),
            nextPaymentDue: nextDue.map(CalendarDate.init(daysSinceEpoch:))
        )
    }
}
