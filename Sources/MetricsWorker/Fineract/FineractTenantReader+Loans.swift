import AnalyticsCore
import AnalyticsStore

extension FineractTenantReader {
    /// The loans `ids` whole: row, schedule, transactions and REPLAYED relations, in id order.
    func bundles(_ ids: [Int64]) async throws -> [FineractLoanBundle] {
        var bundles: [Int64: FineractLoanBundle] = [:]
        for r in try await connection.query("""
            SELECT l.id, l.loan_status_id, l.client_id, c.display_name AS client_name, c.mobile_no AS client_mobile,
                   c.office_id AS client_office_id, l.group_id, g.display_name AS group_name, g.office_id AS group_office_id,
                   l.loan_officer_id, s.display_name AS officer_name, s.mobile_no AS officer_mobile, f.name AS fund_name,
                   l.principal_amount::text AS principal_amount, l.principal_disbursed_derived::text AS principal_disbursed,
                   l.annual_nominal_interest_rate::text AS rate, l.fee_charges_charged_derived::text AS fee,
                   l.disbursedon_date::text AS disbursed_on, l.expected_disbursedon_date::text AS expected_disbursed_on,
                   l.expected_maturedon_date::text AS expected_matured_on, l.closedon_date::text AS closed_on,
                   l.overpaidon_date::text AS overpaid_on, l.writtenoffon_date::text AS written_off_on, l.is_charged_off
            FROM m_loan l
            LEFT JOIN m_client c ON c.id = l.client_id
            LEFT JOIN m_group g ON g.id = l.group_id
            LEFT JOIN m_staff s ON s.id = l.loan_officer_id
            LEFT JOIN m_fund f ON f.id = l.fund_id
            WHERE l.id = ANY($1::bigint[])
            """, [ids]) {
            let loan = FineractLoanRow(
                id: try r.decode(Int64.self, "id"), loanStatusID: try r.decode(Int.self, "loan_status_id"),
                principalAmount: try r.decode(String.self, "principal_amount"), clientID: try r.decode(Int64?.self, "client_id"),
                clientName: try r.decode(String?.self, "client_name"), clientMobile: try r.decode(String?.self, "client_mobile"),
                clientOfficeID: try r.decode(Int64?.self, "client_office_id"), groupID: try r.decode(Int64?.self, "group_id"),
                groupName: try r.decode(String?.self, "group_name"), groupOfficeID: try r.decode(Int64?.self, "group_office_id"),
                loanOfficerID: try r.decode(Int64?.self, "loan_officer_id"), officerName: try r.decode(String?.self, "officer_name"),
                officerMobile: try r.decode(String?.self, "officer_mobile"), fundName: try r.decode(String?.self, "fund_name"),
                principalDisbursed: try r.decode(String?.self, "principal_disbursed"),
                annualNominalInterestRate: try r.decode(String?.self, "rate"), feeChargesCharged: try r.decode(String?.self, "fee"),
                disbursedOnDate: try r.decode(String?.self, "disbursed_on"),
                expectedDisbursedOnDate: try r.decode(String?.self, "expected_disbursed_on"),
                expectedMaturedOnDate: try r.decode(String?.self, "expected_matured_on"),
                closedOnDate: try r.decode(String?.self, "closed_on"), overpaidOnDate: try r.decode(String?.self, "overpaid_on"),
                writtenOffOnDate: try r.decode(String?.self, "written_off_on"), isChargedOff: try r.decode(Bool.self, "is_charged_off"))
            bundles[loan.id] = FineractLoanBundle(loan: loan)
        }
        for r in try await connection.query("""
            SELECT id, loan_id, installment, duedate::text AS duedate, principal_amount::text AS principal,
                   interest_amount::text AS interest, fee_charges_amount::text AS fee
            FROM m_loan_repayment_schedule WHERE loan_id = ANY($1::bigint[])
            """, [ids]) {
            let loanID = try r.decode(Int64.self, "loan_id")
            bundles[loanID]?.schedule.append(FineractInstallment(
                id: try r.decode(Int64.self, "id"), installment: try r.decode(Int.self, "installment"),
                dueDate: try r.decode(String.self, "duedate"), principalAmount: try r.decode(String?.self, "principal"),
                interestAmount: try r.decode(String?.self, "interest"), feeChargesAmount: try r.decode(String?.self, "fee")))
        }
        for r in try await connection.query("""
            SELECT t.id, t.loan_id, t.transaction_type_enum, t.transaction_date::text AS transaction_date, t.amount::text AS amount,
                   t.principal_portion_derived::text AS principal, t.interest_portion_derived::text AS interest,
                   t.fee_charges_portion_derived::text AS fee, t.penalty_charges_portion_derived::text AS penalty,
                   t.submitted_on_date::text AS submitted_on, t.is_reversed, t.reversed_on_date::text AS reversed_on,
                   COALESCE(t.manually_adjusted_or_reversed, FALSE) AS manual, pt.value AS payment_type, pd.receipt_number
            FROM m_loan_transaction t
            LEFT JOIN m_payment_detail pd ON pd.id = t.payment_detail_id
            LEFT JOIN m_payment_type pt ON pt.id = pd.payment_type_id
            WHERE t.loan_id = ANY($1::bigint[])
            """, [ids]) {
            let loanID = try r.decode(Int64.self, "loan_id")
            bundles[loanID]?.transactions.append(FineractTransaction(
                id: try r.decode(Int64.self, "id"), type: try r.decode(Int.self, "transaction_type_enum"),
                transactionDate: try r.decode(String.self, "transaction_date"), amount: try r.decode(String.self, "amount"),
                submittedOnDate: try r.decode(String.self, "submitted_on"), principalPortion: try r.decode(String?.self, "principal"),
                interestPortion: try r.decode(String?.self, "interest"), feeChargesPortion: try r.decode(String?.self, "fee"),
                penaltyChargesPortion: try r.decode(String?.self, "penalty"), isReversed: try r.decode(Bool.self, "is_reversed"),
                reversedOnDate: try r.decode(String?.self, "reversed_on"), manuallyAdjustedOrReversed: try r.decode(Bool.self, "manual"),
                paymentType: try r.decode(String?.self, "payment_type"), receiptNumber: try r.decode(String?.self, "receipt_number")))
        }
        for r in try await connection.query("""
            SELECT t.loan_id, r.from_loan_transaction_id AS from_id, r.to_loan_transaction_id AS to_id
            FROM m_loan_transaction_relation r JOIN m_loan_transaction t ON t.id = r.from_loan_transaction_id
            WHERE t.loan_id = ANY($1::bigint[]) AND r.relation_type_enum = $2 AND r.to_loan_transaction_id IS NOT NULL
            """, [ids, FineractTransactionType.replayedRelation]) {
            let loanID = try r.decode(Int64.self, "loan_id")
            bundles[loanID]?.replayed.append((from: try r.decode(Int64.self, "from_id"), to: try r.decode(Int64.self, "to_id")))
        }
        return ids.compactMap { bundles[$0] }
    }
}
