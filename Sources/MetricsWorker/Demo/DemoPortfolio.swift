import AnalyticsCore

/// Generates a realistic synthetic portfolio as ingestion records (JSON objects, exactly as the
/// lending system would send them), so it goes through the same validation and write path.
///
/// Loans are disbursed over the year before the as-of date, weekly (16 installments), fortnightly
/// or monthly, and dealt round the officers in turn; a fifth of the loans carry their schedule.
/// Each officer's book follows its ``DemoProfile``, so the book holds the whole range of risk:
/// - most officers are steady: 70% of borrowers punctual, 20% late, 10% stop paying; a few rows
///   are backdated, reversed or carry a 500.00 waiver; late payers pay penalties;
/// - one branch in twenty is in trouble: its borrowers pay late or stop paying far more often;
/// - two officers in fifty are rogue (Red): float gap, partner loans, fees kept, most rows
///   backdated, 40% reversed, half waived in full, 70% of the borrowers stop paying;
/// - three in fifty are slipping (Amber): float gap, weaker borrowers, some backdating, reversals
///   and heavy waivers;
/// - one in fifty has most first payments missed (the FIMR drilldown).
///
/// The profiles hang on the officers' positions, so the range appears at every size from 50
/// officers up; the month-to-date figures (waivers, backdated, reversals, fees) have little to go
/// on in the first days of a month.
struct DemoPortfolio {
    let officers: Int
    let loans: Int
    let asOf: CalendarDate
    private var random: DemoRandom

    static let regions = ["Lagos", "South West", "North Central", "South South", "North West", "South East"]

    init(officers: Int, loans: Int, seed: UInt64, asOf: CalendarDate) {
        self.officers = officers
        self.loans = loans
        self.asOf = asOf
        self.random = DemoRandom(seed: seed)
    }

    static func branch(of officer: Int) -> (branch: String, region: String) {
        let branch = officer / 10
        return ("Branch \(String(format3: branch + 1))", regions[branch % regions.count])
    }

    /// The officers and the team members.
    mutating func masterData() -> [JSONValue] {
        var records: [JSONValue] = []
        for i in 0..<officers {
            let (branch, region) = Self.branch(of: i)
            let flagged = DemoProfile.of(officer: i, officers: officers).flagged
            records.append(object([
                ("officer_id", .string("OFF\(String(format6: i + 1))")), ("officer_name", .string("Officer \(i + 1)")),
                ("officer_phone", .string("+234-80\(random.int(1...9))-\(random.int(100...999))-\(random.int(1000...9999))")),
                ("region", .string(region)), ("branch", .string(branch)),
                ("employment_status", .string(random.chance(0.05) && !flagged ? "Inactive" : "Active")),
                ("primary_channel", flagged ? .string("Direct") : random.chance(0.1) ? .null : .string(random.chance(0.8) ? "Direct" : "Partner")),
                ("has_float_gap", .bool(random.chance(0.05) || flagged)),
            ]))
        }
        for i in 0..<5 {
            records.append(object([
                ("member_id", .string("TM\(String(format3: i + 1))")), ("member_name", .string("Auditor \(i + 1)")),
                ("role", .string(i == 0 ? "Audit Manager" : "Senior Auditor")), ("department", .string("Risk Management")),
                ("is_active", .bool(i != 4)),
            ]))
        }
        return records
    }

    /// Loan `index` with its customer and its repayments, in the order they are sent.
    mutating func loan(_ index: Int) -> [JSONValue] {
        let officer = index % officers
        let profile = DemoProfile.of(officer: officer, officers: officers)
        let (branch, region) = Self.branch(of: officer)
        let loanID = "LN\(String(format8: index + 1))"
        let customerID = "CU\(String(format8: index + 1))"
        let plan = random.pick([(7, 112), (7, 112), (7, 112), (14, 168), (30, 180)])
        let disbursed = asOf.adding(days: -random.int(1...365))
        let maturity = disbursed.adding(days: plan.1)
        let amount = Money(minorUnits: Int64(random.int(500...20_000)) * 10_000)
        let rate = Ratio4(scaled: Int64(random.int(5...30)) * 100)
        let fee = Money(minorUnits: amount.minorUnits / 100 * Int64(random.int(1...3)))
        let schedule = ScheduleGenerator.generate(loanAmount: amount, disbursementDate: disbursed, maturityDate: maturity,
                                                  loanTermDays: plan.1, interestRate: rate, feeAmount: fee, repaymentEveryDays: plan.0)
        let behaviour = random.int(0...99)
        let stops = behaviour >= profile.punctual + profile.late
        let lateDays = behaviour < profile.punctual ? 0 : stops ? random.int(5...40) : random.int(1...20)
        let stopsAfter = stops ? random.int(0...(schedule.installments.count - 1)) : Int.max
        let missesFirst = random.chance(profile.firstMiss)
        var repayments: [JSONValue] = []
        var lastPayment: CalendarDate?
        for (i, installment) in schedule.installments.enumerated() where i < stopsAfter {
            let paid = installment.dueDate.adding(days: i == 0 && missesFirst ? random.int(3...21)
                                                  : lateDays == 0 ? random.int(-2...0) : random.int(0...lateDays))
            guard paid <= asOf else { break }
            lastPayment = paid
            let penalty = lateDays > 7 ? Money(minorUnits: 50_000) : .zero
            let fees = profile.skimsFees ? .zero : installment.feeDue
            let reversed = random.chance(profile.reversed)
            let waiver = !random.chance(profile.waived) ? "0.00" : profile.heavyWaiver ? installment.totalDue.description : "500.00"
            repayments.append(object([
                ("repayment_id", .string("\(loanID)-R\(i + 1)")), ("loan_id", .string(loanID)),
                ("payment_date", .string(paid.description)),
                ("payment_amount", .number((installment.principalDue + installment.interestDue + fees + penalty).description)),
                ("principal_paid", .number(installment.principalDue.description)),
                ("interest_paid", .number(installment.interestDue.description)),
                ("fees_paid", .number(fees.description)), ("penalty_paid", .number(penalty.description)),
                ("payment_method", .string(random.pick(["Bank Transfer", "Cash", "Mobile Money"]))),
                ("is_backdated", .bool(random.chance(profile.backdated))), ("is_reversed", .bool(reversed)),
                ("reversal_date", reversed ? .string(min(asOf, paid.adding(days: random.int(1...3))).description) : .null),
                ("waiver_amount", .number(waiver)),
            ]))
        }
        let repaidAll = repayments.count == schedule.installments.count
        var status = "Active"
        var closed: CalendarDate?
        if repaidAll, let lastPayment {
            status = "Closed"
            closed = lastPayment
        } else if stops, asOf.days(since: maturity) > 90, random.chance(0.3) {
            status = "Written Off"
            closed = maturity.adding(days: 91)
        } else if random.chance(0.003) {
            status = "Cancelled"
            closed = disbursed
        }
        var loanFields: [(String, JSONValue)] = [
            ("loan_id", .string(loanID)), ("customer_id", .string(customerID)), ("customer_name", .string("Customer \(index + 1)")),
            ("customer_phone", .string("+234-70\(random.int(1...9))-\(random.int(100...999))-\(random.int(1000...9999))")),
            ("officer_id", .string("OFF\(String(format6: officer + 1))")), ("officer_name", .string("Officer \(officer + 1)")),
            ("region", .string(region)), ("branch", .string(branch)), ("loan_amount", .number(amount.description)),
            ("disbursement_date", .string(disbursed.description)), ("maturity_date", .string(maturity.description)),
            ("loan_term_days", .number(String(plan.1))), ("interest_rate", .number(rate.description)),
            ("fee_amount", .number(fee.description)), ("repayment_every_days", .number(String(plan.0))),
            ("channel", .string(random.chance(profile.partner) ? "Partner" : "Direct")), ("status", .string(status)),
            ("closed_date", closed.map { .string($0.description) } ?? .null),
        ]
        if random.chance(0.2) {
            loanFields.append(("schedule", .array(schedule.installments.map { installment in
                object([("installment_number", .number(String(installment.number))), ("due_date", .string(installment.dueDate.description)),
                        ("principal_due", .number(installment.principalDue.description)),
                        ("interest_due", .number(installment.interestDue.description)),
                        ("fee_due", .number(installment.feeDue.description))])
            })))
        }
        return [object(loanFields)] + repayments
    }

    private func object(_ fields: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members: fields.map { JSONObject.Member(key: $0.0, value: $0.1) }))
    }
}

extension String {
    init(format3 value: Int) { self = Self.padded(value, 3) }
    init(format6 value: Int) { self = Self.padded(value, 6) }
    init(format8 value: Int) { self = Self.padded(value, 8) }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
    }
}
