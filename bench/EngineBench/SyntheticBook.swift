import AnalyticsCore

/// A deterministic synthetic loan book: ~10 installments and ~10 repayments per loan, with
/// partial, late, reversed and backdated payments, some closed and cancelled loans.
struct SyntheticBook: Sendable {
    let officers: [Officer]
    let ledgers: [LoanLedger]
    let installmentCount: Int
    let repaymentCount: Int
    /// Primary channel by officer id.
    let channelByOfficer: [String: String]

    init(loans: Int, officers officerCount: Int, asOf: CalendarDate, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let channels = ["Direct", "Partner", "Agent"]
        var officers: [Officer] = []
        officers.reserveCapacity(officerCount)
        for i in 0..<officerCount {
            officers.append(Officer(
                officerId: "OFF\(100_000 + i)", officerName: "Officer \(i)", region: "Region \(i % 7)",
                branch: "Branch \(i % 97)", employmentStatus: i % 50 == 0 ? "Inactive" : "Active",
                primaryChannel: channels[i % 3], hasFloatGap: i % 13 == 0))
        }
        var ledgers: [LoanLedger] = []
        ledgers.reserveCapacity(loans)
        var installments = 0
        var repayments = 0
        for n in 0..<loans {
            let officer = officers[Int(rng.next() % UInt64(officerCount))]
            let every = [7, 14, 30][Int(rng.next() % 3)]
            let count = 8 + Int(rng.next() % 5)
            let disbursement = asOf - Int(rng.next() % UInt64(every * count + 60))
            let amount = Money(minorUnits: Int64(1_000_000 + rng.next() % 100_000_000))
            let term = every * count
            let schedule = ScheduleGenerator.generate(
                loanAmount: amount, disbursementDate: disbursement, maturityDate: disbursement + term,
                loanTermDays: term, interestRate: Ratio4(scaled: Int64(rng.next() % 3000)),
                feeAmount: Money(minorUnits: Int64(rng.next() % 500_000)), repaymentEveryDays: every)
            var facts: [RepaymentFacts] = []
            facts.reserveCapacity(schedule.installments.count + 1)
            let behaviour = rng.next() % 10  // 0-5 good, 6-7 late, 8 stops paying, 9 partial
            for (k, installment) in schedule.installments.enumerated() {
                if behaviour == 8, k >= 3 { break }
                let lateness = behaviour >= 6 ? Int(rng.next() % 20) : Int(rng.next() % 3) - 1
                let total = installment.totalDue.minorUnits
                let paid = behaviour == 9 ? total * 2 / 3 : total
                let reversed = rng.next() % 40 == 0
                facts.append(RepaymentFacts(
                    paymentDate: installment.dueDate + lateness,
                    principalPaid: Money(minorUnits: paid - installment.interestDue.minorUnits - installment.feeDue.minorUnits),
                    interestPaid: installment.interestDue, feesPaid: installment.feeDue,
                    waiverAmount: rng.next() % 25 == 0 ? Money(minorUnits: 1_000) : .zero,
                    isBackdated: rng.next() % 30 == 0, isReversed: reversed,
                    reversalDate: reversed ? installment.dueDate + lateness + Int(rng.next() % 10) : nil))
            }
            facts.sort { $0.paymentDate < $1.paymentDate }
            let statusRoll = rng.next() % 20
            let status: LoanStatus = statusRoll == 0 ? .cancelled : (statusRoll < 3 ? .closed : .active)
            installments += schedule.installments.count
            repayments += facts.count
            ledgers.append(LoanLedger(
                loanId: "LN\(10_000_000 + n)", officerId: officer.officerId, branch: officer.branch,
                channel: channels[Int(rng.next() % 3)], status: status,
                closedDate: status == .active ? nil : disbursement + term, disbursementDate: disbursement,
                loanAmount: amount, schedule: schedule, sortedRepayments: facts))
        }
        self.officers = officers
        self.ledgers = ledgers
        self.installmentCount = installments
        self.repaymentCount = repayments
        self.channelByOfficer = Dictionary(uniqueKeysWithValues: officers.map { ($0.officerId, $0.effectivePrimaryChannel) })
    }
}
