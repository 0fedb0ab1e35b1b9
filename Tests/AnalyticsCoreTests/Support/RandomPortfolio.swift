import AnalyticsCore

/// The property tests' generator: AnalyticsCore's SplitMix64, so runs are reproducible.
typealias SeededGenerator = SplitMix64

/// Random but valid loans, repayments and officers for property tests.
struct RandomPortfolio {
    var officers: [Officer] = []
    var loans: [Loan] = []
    var repayments: [Repayment] = []

    static let start = CalendarDate(iso: "2024-06-01") ?? CalendarDate(daysSinceEpoch: 0)

    init(seed: UInt64, loans count: Int) {
        var rng = SeededGenerator(seed: seed)
        let channels = ["Direct", "Partner", "Agent"]
        for i in 1...6 {
            officers.append(Officer(
                officerId: "O\(i)", officerName: "Officer \(i)", region: ["north", "South"][i % 2],
                branch: "B\(i % 3)", employmentStatus: i == 6 ? "Inactive" : "Active",
                primaryChannel: Bool.random(using: &rng) ? nil : channels.randomElement(using: &rng),
                hasFloatGap: i % 4 == 0))
        }
        var repaymentNumber = 0
        for n in 1...count {
            let disbursement = Self.start + Int.random(in: 0...150, using: &rng)
            let term = [7, 14, 28, 30, 56, 60, 90, 92, 180].randomElement(using: &rng) ?? 30
            let every = [nil, 7, 14, 30].randomElement(using: &rng) ?? nil
            let amount = Money(minorUnits: Int64.random(in: 1...50_000_000, using: &rng))
            let maturity = disbursement + term + Int.random(in: -3...3, using: &rng)
            let status: LoanStatus = [.active, .active, .active, .closed, .writtenOff, .cancelled]
                .randomElement(using: &rng) ?? .active
            let closed: CalendarDate? = status == .active ? nil : disbursement + Int.random(in: 1...200, using: &rng)
            var loan = Loan(
                loanId: "L\(n)", customerId: "C\(n)", customerName: "Customer \(n)",
                officerId: "O\(Int.random(in: 1...6, using: &rng))", officerName: "x", region: "r", branch: "b",
                loanAmount: amount, disbursementDate: disbursement, maturityDate: max(maturity, disbursement),
                loanTermDays: term,
                interestRate: Bool.random(using: &rng) ? Ratio4(scaled: Int64.random(in: 0...5000, using: &rng)) : nil,
                feeAmount: Bool.random(using: &rng) ? Money(minorUnits: Int64.random(in: 0...500_000, using: &rng)) : nil,
                channel: channels.randomElement(using: &rng) ?? "Direct", status: status, closedDate: closed,
                repaymentEveryDays: every)
            if Int.random(in: 0..<5, using: &rng) == 0 {
                loan.schedule = Self.givenSchedule(amount: amount, disbursement: disbursement, using: &rng)
            }
            loans.append(loan)
            let schedule = ScheduleGenerator.schedule(for: loan)
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                repaymentNumber += 1
                let due = schedule.installments.randomElement(using: &rng)
                let total = due?.totalDue.minorUnits ?? 1000
                let principal = Int64.random(in: 0...max(1, total * 3 / 2), using: &rng)
                let interest = Int64.random(in: 0...max(1, total / 10), using: &rng)
                let fees = Int64.random(in: 0...max(1, total / 20), using: &rng)
                let penalty = Int64.random(in: 0...100, using: &rng)
                let date = disbursement + Int.random(in: 0...220, using: &rng)
                let reversed = Int.random(in: 0..<6, using: &rng) == 0
                repayments.append(Repayment(
                    repaymentId: "R\(repaymentNumber)", loanId: loan.loanId, paymentDate: date,
                    paymentAmount: Money(minorUnits: principal + interest + fees + penalty),
                    principalPaid: Money(minorUnits: principal), interestPaid: Money(minorUnits: interest),
                    feesPaid: Money(minorUnits: fees), penaltyPaid: Money(minorUnits: penalty),
                    isBackdated: Int.random(in: 0..<8, using: &rng) == 0, isReversed: reversed,
                    reversalDate: reversed && Bool.random(using: &rng) ? date + Int.random(in: 0...30, using: &rng) : nil,
                    waiverAmount: Money(minorUnits: Int64.random(in: 0...1, using: &rng) * 500)))
            }
        }
    }

    static func givenSchedule(amount: Money, disbursement: CalendarDate, using rng: inout SeededGenerator) -> [ScheduleEntry] {
        let count = Int.random(in: 1...6, using: &rng)
        var entries: [ScheduleEntry] = []
        var remaining = amount.minorUnits
        var due = disbursement
        for i in 1...count {
            due = due + Int.random(in: 1...31, using: &rng)
            let principal = i == count ? remaining : Int64.random(in: 0...remaining, using: &rng)
            remaining -= principal
            let zero = Int.random(in: 0..<6, using: &rng) == 0 && i != count
            entries.append(ScheduleEntry(
                installmentNumber: i, dueDate: due, principalDue: Money(minorUnits: zero ? 0 : principal),
                interestDue: Money(minorUnits: zero ? 0 : Int64.random(in: 0...10_000, using: &rng)),
                feeDue: Money(minorUnits: zero ? 0 : Int64.random(in: 0...1_000, using: &rng))))
            if zero { remaining += principal }
        }
        return entries
    }

    var ledgers: [LoanLedger] {
        var byLoan: [String: [Repayment]] = [:]
        for r in repayments { byLoan[r.loanId, default: []].append(r) }
        return loans.map { LoanLedger(loan: $0, repayments: byLoan[$0.loanId] ?? []) }
    }
}
