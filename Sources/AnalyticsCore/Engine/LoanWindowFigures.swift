/// Per-installment sums at D used by the officer metrics.
struct LoanWindowFigures {
    /// Unpaid remainder at D of installments due in [D, D+7].
    var amountDueSoon: Int64 = 0
    /// `fee_due` of installments due in MTD.
    var feesDueMonthToDate: Int64 = 0
    /// Installments due in T30.
    var installmentsDueTrailing: Int = 0
    /// Of those, covered on or before their due date (as seen at D).
    var installmentsOnTimeTrailing: Int = 0
}
