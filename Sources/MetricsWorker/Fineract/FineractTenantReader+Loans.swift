import AnalyticsCore
import AnalyticsStore

extension FineractTenantReader {
    /// The setting that carries a chunk's loan ids into the COPY queries of ``bundles(_:)`` (COPY
    /// takes no parameters: the ids are bound to `set_config`, and the queries read them back with
    /// `current_setting`).
    static let loanIDsSetting = "analytics.fineract_loan_ids"
    /// The REPLAYED relation type, bound the same way.
    static let relationSetting = "analytics.fineract_relation_type"

    /// The loans `ids` whole: row, schedule, transactions and REPLAYED relations, in id order.
    ///
    /// Read with `COPY (query) TO STDOUT` (text format), every field by position, on the blocking
    /// executor: a chunk's 27,000 tenant rows cost a fraction of what a result of named, boxed
    /// values did. Money and dates stay text (``FineractMoney`` checks the decimals).
    func bundles(_ ids: [Int64]) async throws -> [FineractLoanBundle] {
        guard !ids.isEmpty else { return [] }
        let idList = "{" + ids.map(String.init).joined(separator: ",") + "}"
        let chosen = "= ANY(current_setting('\(Self.loanIDsSetting)')::bigint[])"
        let loans = try await connection.copyOut("""
            COPY (SELECT l.id, l.loan_status_id, l.client_id, c.display_name, c.mobile_no, c.office_id, l.group_id, g.display_name,
                         g.office_id, l.loan_officer_id, s.display_name, s.mobile_no, f.name, l.principal_amount,
                         l.principal_disbursed_derived, l.annual_nominal_interest_rate, l.fee_charges_charged_derived,
                         l.disbursedon_date, l.expected_disbursedon_date, l.expected_maturedon_date, l.closedon_date,
                         l.overpaidon_date, l.writtenoffon_date, l.is_charged_off
                  FROM m_loan l
                  LEFT JOIN m_client c ON c.id = l.client_id
                  LEFT JOIN m_group g ON g.id = l.group_id
                  LEFT JOIN m_staff s ON s.id = l.loan_officer_id
                  LEFT JOIN m_fund f ON f.id = l.fund_id
                  WHERE l.id \(chosen)) TO STDOUT
            """, bindSettings: [(Self.loanIDsSetting, idList), (Self.relationSetting, String(FineractTransactionType.replayedRelation))]) { reader in
            var rows: [FineractLoanRow] = []
            rows.reserveCapacity(ids.count)
            while try reader.next() {
                rows.append(FineractLoanRow(
                    id: try Self.int64(reader, 0, "m_loan.id"), loanStatusID: try Self.int(reader, 1, "m_loan.loan_status_id"),
                    principalAmount: try Self.text(reader, 13, "m_loan.principal_amount"),
                    clientID: reader.int(2).map(Int64.init), clientName: reader.string(3), clientMobile: reader.string(4),
                    clientOfficeID: reader.int(5).map(Int64.init), groupID: reader.int(6).map(Int64.init),
                    groupName: reader.string(7), groupOfficeID: reader.int(8).map(Int64.init),
                    loanOfficerID: reader.int(9).map(Int64.init), officerName: reader.string(10), officerMobile: reader.string(11),
                    fundName: reader.string(12), principalDisbursed: reader.string(14),
                    annualNominalInterestRate: reader.string(15), feeChargesCharged: reader.string(16),
                    disbursedOnDate: reader.string(17), expectedDisbursedOnDate: reader.string(18),
                    expectedMaturedOnDate: reader.string(19), closedOnDate: reader.string(20),
                    overpaidOnDate: reader.string(21), writtenOffOnDate: reader.string(22),
                    isChargedOff: try Self.bool(reader, 23, "m_loan.is_charged_off")))
            }
            return rows
        }
        var bundles: [FineractLoanBundle] = []
        bundles.reserveCapacity(loans.count)
        var position: [Int64: Int] = [:]
        position.reserveCapacity(loans.count)
        for loan in loans {
            position[loan.id] = bundles.count
            bundles.append(FineractLoanBundle(loan: loan))
        }
        // (The settings stay set for the later queries of the chunk.)
        let schedule = try await connection.copyOut("""
            COPY (SELECT id, loan_id, installment, duedate, principal_amount, interest_amount, fee_charges_amount
                  FROM m_loan_repayment_schedule WHERE loan_id \(chosen)) TO STDOUT
            """) { reader in
            var rows: [(loan: Int64, installment: FineractInstallment)] = []
            rows.reserveCapacity(ids.count * 16)
            while try reader.next() {
                rows.append((try Self.int64(reader, 1, "m_loan_repayment_schedule.loan_id"), FineractInstallment(
                    id: try Self.int64(reader, 0, "m_loan_repayment_schedule.id"),
                    installment: try Self.int(reader, 2, "m_loan_repayment_schedule.installment"),
                    dueDate: try Self.text(reader, 3, "m_loan_repayment_schedule.duedate"), principalAmount: reader.string(4),
                    interestAmount: reader.string(5), feeChargesAmount: reader.string(6))))
            }
            return rows
        }
        for row in schedule { if let at = position[row.loan] { bundles[at].schedule.append(row.installment) } }
        let transactions = try await connection.copyOut("""
            COPY (SELECT t.id, t.loan_id, t.transaction_type_enum, t.transaction_date, t.amount, t.principal_portion_derived,
                         t.interest_portion_derived, t.fee_charges_portion_derived, t.penalty_charges_portion_derived,
                         t.submitted_on_date, t.is_reversed, t.reversed_on_date, COALESCE(t.manually_adjusted_or_reversed, FALSE),
                         pt.value, pd.receipt_number
                  FROM m_loan_transaction t
                  LEFT JOIN m_payment_detail pd ON pd.id = t.payment_detail_id
                  LEFT JOIN m_payment_type pt ON pt.id = pd.payment_type_id
                  WHERE t.loan_id \(chosen)) TO STDOUT
            """) { reader in
            var rows: [(loan: Int64, transaction: FineractTransaction)] = []
            rows.reserveCapacity(ids.count * 10)
            while try reader.next() {
                rows.append((try Self.int64(reader, 1, "m_loan_transaction.loan_id"), FineractTransaction(
                    id: try Self.int64(reader, 0, "m_loan_transaction.id"),
                    type: try Self.int(reader, 2, "m_loan_transaction.transaction_type_enum"),
                    transactionDate: try Self.text(reader, 3, "m_loan_transaction.transaction_date"),
                    amount: try Self.text(reader, 4, "m_loan_transaction.amount"),
                    submittedOnDate: try Self.text(reader, 9, "m_loan_transaction.submitted_on_date"),
                    principalPortion: reader.string(5), interestPortion: reader.string(6), feeChargesPortion: reader.string(7),
                    penaltyChargesPortion: reader.string(8), isReversed: try Self.bool(reader, 10, "m_loan_transaction.is_reversed"),
                    reversedOnDate: reader.string(11), manuallyAdjustedOrReversed: try Self.bool(reader, 12, "manually_adjusted_or_reversed"),
                    paymentType: reader.string(13), receiptNumber: reader.string(14))))
            }
            return rows
        }
        for row in transactions { if let at = position[row.loan] { bundles[at].transactions.append(row.transaction) } }
        let relations = try await connection.copyOut("""
            COPY (SELECT t.loan_id, r.from_loan_transaction_id, r.to_loan_transaction_id
                  FROM m_loan_transaction_relation r JOIN m_loan_transaction t ON t.id = r.from_loan_transaction_id
                  WHERE t.loan_id \(chosen) AND r.relation_type_enum = current_setting('\(Self.relationSetting)')::int
                    AND r.to_loan_transaction_id IS NOT NULL) TO STDOUT
            """) { reader in
            var rows: [(loan: Int64, from: Int64, to: Int64)] = []
            while try reader.next() {
                rows.append((try Self.int64(reader, 0, "m_loan_transaction.loan_id"),
                             try Self.int64(reader, 1, "m_loan_transaction_relation.from_loan_transaction_id"),
                             try Self.int64(reader, 2, "m_loan_transaction_relation.to_loan_transaction_id")))
            }
            return rows
        }
        for row in relations { if let at = position[row.loan] { bundles[at].replayed.append((from: row.from, to: row.to)) } }
        return ids.compactMap { position[$0].map { bundles[$0] } }
    }

    // A NOT NULL column of the tenant read as NULL or malformed is a tenant we do not understand:
    // the run stops and says which column.
    private static func int64(_ reader: PostgresCopyOutReader, _ index: Int, _ column: String) throws -> Int64 {
        guard let value = reader.int(index) else { throw unreadable(column) }
        return Int64(value)
    }

    private static func int(_ reader: PostgresCopyOutReader, _ index: Int, _ column: String) throws -> Int {
        guard let value = reader.int(index) else { throw unreadable(column) }
        return value
    }

    private static func text(_ reader: PostgresCopyOutReader, _ index: Int, _ column: String) throws -> String {
        guard let value = reader.string(index) else { throw unreadable(column) }
        return value
    }

    private static func bool(_ reader: PostgresCopyOutReader, _ index: Int, _ column: String) throws -> Bool {
        guard let value = reader.bool(index) else { throw unreadable(column) }
        return value
    }

    private static func unreadable(_ column: String) -> PostgresError {
        PostgresError(code: .decoding, message: "the tenant's \(column) is null or not what Fineract stores; check the tenant's schema")
    }
}
