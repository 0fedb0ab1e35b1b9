extension FineractMapping {
    /// The repayment records of a loan's transactions (FINERACT.md "The mapping" and "System
    /// replays are not reversals"): one record per replay chain, under the id of the chain's first
    /// transaction (the one that replaces nothing), carrying the newest row of the chain.
    /// Problems (money, a live chargeback) are added to `problems`.
    func repayments(_ bundle: FineractLoanBundle,
                    problems: inout [FineractRejection]) -> [(transaction: FineractTransaction, object: JSONObject)] {
        var byID: [Int64: FineractTransaction] = [:]
        for transaction in bundle.transactions { byID[transaction.id] = transaction }
        var replaces: [Int64: [Int64]] = [:]
        var replaced = Set<Int64>()
        for relation in bundle.replayed where byID[relation.from] != nil && byID[relation.to] != nil && relation.from != relation.to {
            replaces[relation.from, default: []].append(relation.to)
            replaced.insert(relation.to)
        }
        /// Follows the relations to the row that is not itself a replacement (the lowest target at
        /// each step: a newer replacement may point at every earlier row).
        func first(of id: Int64) -> Int64 {
            var current = id
            var seen: Set<Int64> = [id]
            while let next = replaces[current]?.min(), seen.insert(next).inserted { current = next }
            return current
        }

        var out: [(transaction: FineractTransaction, object: JSONObject)] = []
        for transaction in bundle.transactions.sorted(by: { $0.id < $1.id }) where !replaced.contains(transaction.id) {
            let root = byID[first(of: transaction.id)] ?? transaction
            func money(_ column: String, _ text: String?) -> Int64? {
                guard let text else { return nil }
                if let cents = FineractMoney.cents(text) { return cents }
                problems.append(FineractRejection(table: "m_loan_transaction", row: String(transaction.id), column: column,
                                                  message: "\(text) has a non-zero digit after the second decimal (money is never rounded)"))
                return nil
            }
            let type = transaction.type
            if type == FineractTransactionType.chargeback {
                if !transaction.isReversed {
                    problems.append(FineractRejection(
                        table: "m_loan_transaction", row: String(transaction.id), column: "transaction_type_enum",
                        message: "a chargeback (25) raises what is owed, which the analytics model cannot carry"))
                }
                continue
            }
            var record = FineractRecord()
            record.string("repayment_id", String(root.id))
            record.string("loan_id", String(bundle.loan.id))
            record.string("payment_date", transaction.transactionDate)
            if let waiverType = FineractTransactionType.waivers[type] {
                let amount = money("amount", transaction.amount) ?? 0
                record.number("payment_amount", "0.00")
                record.number("principal_paid", "0.00")
                record.number("interest_paid", "0.00")
                record.number("fees_paid", "0.00")
                record.number("penalty_paid", "0.00")
                record.number("waiver_amount", FineractMoney.text(cents: amount))
                record.string("waiver_type", waiverType)
            } else if FineractTransactionType.payments.contains(type) || FineractTransactionType.credits[type] != nil {
                var principal = money("principal_portion_derived", transaction.principalPortion) ?? 0
                let interest = money("interest_portion_derived", transaction.interestPortion) ?? 0
                let fees = money("fee_charges_portion_derived", transaction.feeChargesPortion) ?? 0
                let penalty = money("penalty_charges_portion_derived", transaction.penaltyChargesPortion) ?? 0
                if type == FineractTransactionType.recovery, principal == 0, interest == 0, fees == 0, penalty == 0 {
                    principal = money("amount", transaction.amount) ?? 0
                }
                record.number("payment_amount", FineractMoney.text(cents: principal + interest + fees + penalty))
                record.number("principal_paid", FineractMoney.text(cents: principal))
                record.number("interest_paid", FineractMoney.text(cents: interest))
                record.number("fees_paid", FineractMoney.text(cents: fees))
                record.number("penalty_paid", FineractMoney.text(cents: penalty))
                record.string("payment_method", FineractTransactionType.credits[type] ?? transaction.paymentType)
                record.string("payment_reference", transaction.receiptNumber)
            } else {
                continue
            }
            record.bool("is_backdated", transaction.transactionDate < root.submittedOnDate)
            record.bool("is_reversed", transaction.isReversed)
            if transaction.isReversed { record.string("reversal_date", transaction.reversedOnDate) }
            out.append((transaction, record.object))
        }
        return out
    }
}
