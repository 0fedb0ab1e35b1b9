/// Builds a loan's schedule (METRICS 2): the given one when present, else a generated one.
public enum ScheduleGenerator {
    /// The default `repayment_every_days`.
    public static let defaultEveryDays = 30

    /// The schedule of a loan: its non-empty `schedule` ordered by installment number, or one
    /// generated from its terms.
    public static func schedule(for loan: Loan) -> LoanSchedule {
        if let given = loan.schedule, !given.isEmpty {
            let installments = given
                .sorted { $0.installmentNumber < $1.installmentNumber }
                .map {
                    Installment(number: Int32(clamping: $0.installmentNumber), dueDate: $0.dueDate,
                                principalDue: $0.principalDue, interestDue: $0.interestDue, feeDue: $0.feeDue)
                }
            return LoanSchedule(installments: installments, source: .given)
        }
        return generate(
            loanAmount: loan.loanAmount, disbursementDate: loan.disbursementDate, maturityDate: loan.maturityDate,
            loanTermDays: loan.loanTermDays, interestRate: loan.interestRate, feeAmount: loan.feeAmount,
            repaymentEveryDays: loan.repaymentEveryDays
        )
    }

    /// Generates a schedule: `n = max(1, term / every)` installments every `every` days from
    /// disbursement, the last moved to maturity when maturity is later than installment `n-1`'s
    /// date; flat interest and the fee split evenly, truncated to the cent, remainder on the last.
    ///
    /// `repaymentEveryDays` nil or not positive means 30; a null rate or fee is 0.
    public static func generate(
        loanAmount: Money, disbursementDate: CalendarDate, maturityDate: CalendarDate, loanTermDays: Int,
        interestRate: Ratio4?, feeAmount: Money?, repaymentEveryDays: Int?
    ) -> LoanSchedule {
        let every = repaymentEveryDays.flatMap { $0 > 0 ? $0 : nil } ?? defaultEveryDays
        let count = max(1, loanTermDays / every)
        let interest = flatInterest(loanAmount: loanAmount, interestRate: interestRate, loanTermDays: loanTermDays)
        let fee = feeAmount ?? .zero
        var installments: [Installment] = []
        installments.reserveCapacity(count)
        let principalShare = loanAmount.minorUnits / Int64(count)
        let interestShare = interest.minorUnits / Int64(count)
        let feeShare = fee.minorUnits / Int64(count)
        let others = Int64(count - 1)
        for i in 1...count {
            var due = disbursementDate.adding(days: i * every)
            let isLast = i == count
            if isLast {
                // Installment 0's date is the disbursement date.
                let previous = disbursementDate.adding(days: (count - 1) * every)
                if maturityDate > previous { due = maturityDate }
            }
            installments.append(Installment(
                number: Int32(i), dueDate: due,
                principalDue: Money(minorUnits: isLast ? loanAmount.minorUnits - principalShare * others : principalShare),
                interestDue: Money(minorUnits: isLast ? interest.minorUnits - interestShare * others : interestShare),
                feeDue: Money(minorUnits: isLast ? fee.minorUnits - feeShare * others : feeShare)
            ))
        }
        return LoanSchedule(installments: installments, source: .generated)
    }

    /// The flat interest total `round2(loan_amount * interest_rate * loan_term_days / 365)`,
    /// rounded half away from zero on the exact value (1.825 gives 1.83).
    public static func flatInterest(loanAmount: Money, interestRate: Ratio4?, loanTermDays: Int) -> Money {
        guard let rate = interestRate else { return .zero }
        // minor units * (rate in 1/10_000) * days / (365 * 10_000): exact in 128 bits.
        let numerator = Int128(loanAmount.minorUnits) * Int128(rate.scaled) * Int128(loanTermDays)
        let rounded = Ratio4.roundedQuotient(numerator, 365 * 10_000)
        return Money(minorUnits: Int64(clamping: rounded))
    }
}
