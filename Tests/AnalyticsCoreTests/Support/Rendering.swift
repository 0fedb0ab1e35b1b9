import AnalyticsCore

/// Engine and metric outputs rendered in the fixtures' value formats (money "1234.50", ratios
/// 4-place strings or null, integers, dates, booleans), so they compare with the expected JSON.
enum Rendering {
    static func money(_ m: Money) -> JSONValue { .string(m.description) }
    static func ratio(_ r: Ratio4?) -> JSONValue { r.map { .string($0.description) } ?? .null }
    static func int(_ i: Int) -> JSONValue { .number(String(i)) }
    static func int(_ i: Int?) -> JSONValue { i.map { .number(String($0)) } ?? .null }
    static func date(_ d: CalendarDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }

    static func loan(_ ledger: LoanLedger, _ state: LoanState) -> [String: JSONValue] {
        let s = state.snapshot
        return [
            "officer_id": .string(ledger.officerId),
            "branch": .string(ledger.branch),
            "status": .string(ledger.status.rawValue),
            "status_as_of": .string(s.statusAsOf.rawValue),
            "schedule_source": .string(ledger.schedule.source.rawValue),
            "current_dpd": int(s.currentDpd),
            "max_dpd_ever": int(s.maxDpdEver),
            "dpd_bucket": .string(s.dpdBucket.rawValue),
            "total_principal_paid": money(s.totalPrincipalPaid),
            "total_interest_paid": money(s.totalInterestPaid),
            "total_fees_paid": money(s.totalFeesPaid),
            "principal_outstanding": money(s.principalOutstanding),
            "interest_outstanding": money(s.interestOutstanding),
            "fees_outstanding": money(s.feesOutstanding),
            "total_outstanding": money(s.totalOutstanding),
            "covered_to_date": money(s.coveredToDate),
            "first_payment_due_date": date(s.firstPaymentDueDate),
            "first_payment_received_date": date(s.firstPaymentReceivedDate),
            "first_payment_missed": .bool(s.firstPaymentMissed),
            "fimr_tagged": .bool(s.fimrTagged),
            "early_indicator_tagged": .bool(s.earlyIndicatorTagged),
            "days_late": int(s.daysLate),
            "risk_score": int(s.riskScore),
            "installments": .array(state.installments.map { .object(object(installment($0))) }),
        ]
    }

    static func installment(_ i: InstallmentState) -> [String: JSONValue] {
        [
            "installment_number": int(Int(i.installment.number)),
            "due_date": date(i.installment.dueDate),
            "principal_due": money(i.installment.principalDue),
            "interest_due": money(i.installment.interestDue),
            "fee_due": money(i.installment.feeDue),
            "total_due": money(i.installment.totalDue),
            "status": .string(i.status.rawValue),
            "amount_paid": money(i.amountPaid),
            "unpaid": money(i.unpaid),
            "covered_date": date(i.coveredDate),
        ]
    }

    static func officer(_ r: OfficerMetricsRow) -> [String: JSONValue] {
        [
            "officer_id": .string(r.officerId),
            "calculation_date": date(r.calculationDate),
            "officer_name": .string(r.officerName),
            "region": .string(r.region),
            "branch": .string(r.branch),
            "employment_status": .string(r.employmentStatus),
            "total_portfolio": money(r.totalPortfolio),
            "active_loans": int(r.activeLoans),
            "total_disbursed_count": int(r.totalDisbursedCount),
            "total_disbursed_amount": money(r.totalDisbursedAmount),
            "overdue_15d_amount": money(r.overdue15dAmount),
            "overdue_15d_count": int(r.overdue15dCount),
            "par15_ratio": ratio(r.par15Ratio),
            "porr": ratio(r.porr),
            "disbursed_count": int(r.disbursedCount),
            "first_miss_count": int(r.firstMissCount),
            "fimr": ratio(r.fimr),
            "all_time_fimr": ratio(r.allTimeFimr),
            "dpd_1to6_balance": money(r.dpd1to6Balance),
            "amount_due_7d": money(r.amountDue7d),
            "d06_slippage": ratio(r.d06Slippage),
            "prev_dpd_1to6_balance": money(r.prevDpd1to6Balance),
            "moved_to_7to30": money(r.movedTo7to30),
            "roll": ratio(r.roll),
            "fees_collected": money(r.feesCollected),
            "fees_due": money(r.feesDue),
            "frr": ratio(r.frr),
            "interest_collected": money(r.interestCollected),
            "total_yield": money(r.totalYield),
            "par15_mid_month": money(r.par15MidMonth),
            "ayr": ratio(r.ayr),
            "on_time_rate": ratio(r.onTimeRate),
            "channel_purity": ratio(r.channelPurity),
            "waivers_amount": money(r.waiversAmount),
            "total_entries": int(r.totalEntries),
            "backdated_count": int(r.backdatedCount),
            "reversals_count": int(r.reversalsCount),
            "had_float_gap": .bool(r.hadFloatGap),
            "risk_score": int(r.riskScore),
            "risk_band": .string(r.riskBand.rawValue),
            "risk_score_norm": ratio(r.riskScoreNorm),
            "dqi": int(r.dqi),
            "rank": int(r.rank),
        ]
    }

    static func branch(_ b: BranchMetricsRow) -> [String: JSONValue] {
        [
            "branch": .string(b.branch),
            "region": .string(b.region),
            "calculation_date": date(b.calculationDate),
            "portfolio_total": money(b.portfolioTotal),
            "active_loans": int(b.activeLoans),
            "total_officers": int(b.totalOfficers),
            "overdue_15d": money(b.overdue15d),
            "par15_ratio": ratio(b.par15Ratio),
            "fimr": ratio(b.fimr),
            "ayr": ratio(b.ayr),
            "dqi": int(b.dqi),
        ]
    }

    static func object(_ fields: [String: JSONValue]) -> JSONObject {
        JSONObject(members: fields.keys.sorted().compactMap { key in fields[key].map { .init(key: key, value: $0) } })
    }
}
