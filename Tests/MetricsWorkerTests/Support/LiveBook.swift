import AnalyticsCore
import Foundation

/// A small book that changes the way a lending system changes it, written as NDJSON ingest files:
/// new loans, repayments, backdated repayments, reversals with and without a future
/// `reversal_date`, status changes, loans moved to another officer, schedules replaced, officers
/// moved to another branch. Every record is a whole record, as the source sends it (a changed
/// loan is the loan again with the change).
struct LiveBook {
    struct OfficerRecord {
        var id: String
        var region: String
        var branch: String
        var floatGap: Bool
        /// nil: no primary channel (Direct for channel purity).
        var primaryChannel: String? = nil
        var json: String {
            """
            {"type":"officer","officer_id":"\(id)","officer_name":"Officer \(id)","region":"\(region)","branch":"\(branch)",\
            "employment_status":"Active","has_float_gap":\(floatGap)\(primaryChannel.map { ",\"primary_channel\":\"\($0)\"" } ?? "")}
            """
        }
    }

    struct LoanRecord {
        var id: String
        var officer: String
        var amount: Money
        var disbursed: CalendarDate
        var every: Int
        var count: Int
        var rate: Int64
        var fee: Money
        var status = "Active"
        var closed: CalendarDate?
        var channel = "Direct"
        /// A given schedule (its repayment interval), nil for the generated one.
        var givenEvery: Int?

        var term: Int { every * count }
        var maturity: CalendarDate { disbursed.adding(days: term) }

        func schedule(every interval: Int) -> LoanSchedule {
            ScheduleGenerator.generate(loanAmount: amount, disbursementDate: disbursed, maturityDate: maturity, loanTermDays: term,
                                       interestRate: Ratio4(scaled: rate), feeAmount: fee, repaymentEveryDays: interval)
        }
    }

    struct RepaymentRecord {
        var id: String
        var loan: String
        var date: CalendarDate
        var principal: Money
        var interest: Money
        var fees: Money
        var penalty: Money
        var backdated: Bool
        var reversed = false
        var reversalDate: CalendarDate?
        var waiver = Money.zero

        var json: String {
            let total = principal + interest + fees + penalty
            return """
                {"type":"repayment","repayment_id":"\(id)","loan_id":"\(loan)","payment_date":"\(date)",\
                "payment_amount":\(total),"principal_paid":\(principal),"interest_paid":\(interest),"fees_paid":\(fees),\
                "penalty_paid":\(penalty),"is_backdated":\(backdated),"is_reversed":\(reversed),\
                "reversal_date":\(reversalDate.map { "\"\($0)\"" } ?? "null"),"waiver_amount":\(waiver)}
                """
        }
    }

    var asOf: CalendarDate
    private var random: SplitMix64
    private(set) var officers: [String: OfficerRecord] = [:]
    private(set) var loans: [String: LoanRecord] = [:]
    private(set) var repayments: [String: RepaymentRecord] = [:]
    private var nextLoan = 1
    private var nextRepayment = 1
    private var nextOfficer = 1
    static let branches = [("North", "Branch A"), ("North", "Branch B"), ("South", "Branch C"), ("South", "Branch D")]

    init(seed: UInt64, asOf: CalendarDate) {
        self.asOf = asOf
        self.random = SplitMix64(seed: seed)
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    private mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }

    func loanJSON(_ loan: LoanRecord) -> String {
        let officer = officers[loan.officer]
        var text = """
            {"type":"loan","loan_id":"\(loan.id)","customer_id":"C-\(loan.id)","customer_name":"Customer \(loan.id)",\
            "officer_id":"\(loan.officer)","officer_name":"Officer \(loan.officer)","region":"\(officer?.region ?? "North")",\
            "branch":"\(officer?.branch ?? "Branch A")","loan_amount":\(loan.amount),"disbursement_date":"\(loan.disbursed)",\
            "maturity_date":"\(loan.maturity)","loan_term_days":\(loan.term),"interest_rate":\(Ratio4(scaled: loan.rate)),\
            "fee_amount":\(loan.fee),"repayment_every_days":\(loan.every),"channel":"\(loan.channel)","status":"\(loan.status)",\
            "closed_date":\(loan.closed.map { "\"\($0)\"" } ?? "null")
            """
        if let given = loan.givenEvery {
            let rows = loan.schedule(every: given).installments.map {
                """
                {"installment_number":\($0.number),"due_date":"\($0.dueDate)","principal_due":\($0.principalDue),\
                "interest_due":\($0.interestDue),"fee_due":\($0.feeDue)}
                """
            }
            text += ",\"schedule\":[" + rows.joined(separator: ",") + "]"
        }
        return text + "}"
    }

    /// A new officer in a random branch.
    private mutating func newOfficer() -> OfficerRecord {
        let (region, branch) = pick(Self.branches)
        let officer = OfficerRecord(id: "LO\(String(format: "%03d", nextOfficer))", region: region, branch: branch, floatGap: chance(0.1))
        nextOfficer += 1
        officers[officer.id] = officer
        return officer
    }

    /// A new loan of `officer` disbursed up to `maxAge` days before D, with its repayments so far.
    private mutating func newLoan(officer: String, maxAge: Int) -> [String] {
        let plan = pick([(7, 12), (14, 6), (30, 4)])
        var loan = LoanRecord(id: "LN\(String(format: "%05d", nextLoan))", officer: officer,
                              amount: Money(minorUnits: Int64(int(20...400)) * 100_000), disbursed: asOf.adding(days: -int(0...maxAge)),
                              every: plan.0, count: plan.1, rate: Int64(int(5...30)) * 100, fee: Money(minorUnits: Int64(int(0...50)) * 10_000))
        nextLoan += 1
        loan.channel = chance(0.2) ? "Partner" : "Direct"
        if chance(0.3) { loan.givenEvery = loan.every }
        loans[loan.id] = loan
        var records = [loanJSON(loan)]
        let punctual = chance(0.7)
        for installment in loan.schedule(every: loan.givenEvery ?? loan.every).installments {
            let paid = installment.dueDate.adding(days: punctual ? int(-2...0) : int(0...25))
            guard paid <= asOf, chance(punctual ? 0.97 : 0.7) else { continue }
            records.append(newRepayment(loan: loan.id, date: paid, installment: installment, backdated: chance(0.05)).json)
        }
        return records
    }

    private mutating func newRepayment(loan: String, date: CalendarDate, installment: Installment?, backdated: Bool) -> RepaymentRecord {
        let principal = installment?.principalDue ?? Money(minorUnits: Int64(int(1...50)) * 10_000)
        let interest = installment?.interestDue ?? Money(minorUnits: Int64(int(0...20)) * 1_000)
        let repayment = RepaymentRecord(id: "RP\(String(format: "%06d", nextRepayment))", loan: loan, date: date, principal: principal,
                                        interest: interest, fees: chance(0.8) ? installment?.feeDue ?? .zero : .zero,
                                        penalty: chance(0.1) ? Money(minorUnits: 50_000) : .zero, backdated: backdated)
        nextRepayment += 1
        repayments[repayment.id] = repayment
        return repayment
    }

    /// The starting book: officers in every branch, loans with their repayments.
    mutating func base(officers count: Int, loans loanCount: Int) -> [String] {
        var records: [String] = []
        for _ in 0..<count { records.append(newOfficer().json) }
        let ids = officers.keys.sorted()
        for i in 0..<loanCount { records += newLoan(officer: ids[i % ids.count], maxAge: 200) }
        return records
    }

    /// One ingest of `size` random changes (the file's lines).
    mutating func changes(_ size: Int) -> [String] {
        var records: [String] = []
        for _ in 0..<size {
            let loanIDs = loans.keys.sorted()
            let officerIDs = officers.keys.sorted()
            switch int(0...99) {
            case 0..<12:
                if chance(0.15) {
                    let officer = newOfficer()
                    records.append(officer.json)
                    records += newLoan(officer: officer.id, maxAge: 60)
                } else {
                    records += newLoan(officer: pick(officerIDs), maxAge: 60)
                }
            case 12..<40:
                let loan = pick(loanIDs)
                records.append(newRepayment(loan: loan, date: asOf.adding(days: -int(0...3)), installment: nil, backdated: false).json)
            case 40..<52:
                let loan = pick(loanIDs)
                guard let disbursed = loans[loan]?.disbursed else { continue }
                let date = min(asOf, disbursed.adding(days: int(0...max(0, asOf.days(since: disbursed)))))
                records.append(newRepayment(loan: loan, date: date, installment: nil, backdated: true).json)
            case 52..<64:
                guard let id = repayments.keys.sorted().randomElement(using: &random), var repayment = repayments[id] else { continue }
                repayment.reversed.toggle()
                // Reversed as of a date: past (in effect at D), or after D (not yet in effect).
                repayment.reversalDate = repayment.reversed && chance(0.6)
                    ? (chance(0.5) ? max(repayment.date, asOf.adding(days: -int(0...5))) : asOf.adding(days: int(1...20))) : nil
                repayments[id] = repayment
                records.append(repayment.json)
            case 64..<74:
                let id = pick(loanIDs)
                guard var loan = loans[id] else { continue }
                switch int(0...2) {
                case 0: loan.status = "Closed"; loan.closed = max(loan.disbursed, asOf.adding(days: -int(0...10)))
                case 1: loan.status = "Written Off"; loan.closed = max(loan.disbursed, asOf.adding(days: -int(0...10)))
                default: loan.status = "Active"; loan.closed = nil
                }
                loans[id] = loan
                records.append(loanJSON(loan))
            case 74..<84:
                let id = pick(loanIDs)
                guard var loan = loans[id] else { continue }
                loan.officer = chance(0.2) ? newOfficer().id : pick(officerIDs)
                if let officer = officers[loan.officer], !records.contains(officer.json) { records.append(officer.json) }
                loans[id] = loan
                records.append(loanJSON(loan))
            case 84..<94:
                let id = pick(loanIDs)
                guard var loan = loans[id] else { continue }
                // A schedule replaced: given at another interval, or dropped (the generated one again).
                loan.givenEvery = loan.givenEvery == nil || chance(0.5) ? pick([loan.every, loan.term / 2, loan.term]) : nil
                loans[id] = loan
                records.append(loanJSON(loan))
            default:
                guard var officer = officers[pick(officerIDs)] else { continue }
                switch Int.random(in: 0..<3, using: &random) {
                case 0: (officer.region, officer.branch) = pick(Self.branches)
                case 1: officer.floatGap.toggle()
                // The primary channel is part of every one of the officer's loans' contributions.
                default: officer.primaryChannel = officer.primaryChannel == nil ? "Partner" : nil
                }
                officers[officer.id] = officer
                records.append(officer.json)
            }
        }
        return records
    }

    /// Writes `records` as an NDJSON file in a fresh temporary folder; returns its path.
    static func write(_ records: [String], name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("livebook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try Data((records.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
