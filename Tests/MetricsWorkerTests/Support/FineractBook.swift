import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation

/// One description of a small loan book, written two ways: into a Fineract tenant (its tables) and
/// as the NDJSON the same book would be sent as, so a sync and an `ingest` can be compared.
struct FineractBook {
    /// Offices: head (1), region North (2), branches Kano (3) and Kaduna (4).
    static let offices: [(id: Int64, parent: Int64?, hierarchy: String, name: String)] = [
        (2, 1, ".2.", "North"), (3, 2, ".2.3.", "Kano"), (4, 2, ".2.4.", "Kaduna"),
    ]
    static let staff: [(id: Int64, office: Int64, first: String, last: String, phone: String)] = [
        (5, 3, "Ada", "Obi", "+234 803 000 0005"), (6, 4, "Musa", "Bello", "+234 803 000 0006"),
    ]
    var loans: Int

    func office(ofLoan i: Int) -> Int64 { i % 2 == 0 ? 3 : 4 }
    func officer(ofLoan i: Int) -> Int64? { i % 5 == 0 ? nil : (i % 2 == 0 ? 5 : 6) }
    func loanID(_ i: Int) -> Int64 { Int64(1_000 + i) }
    func disbursed(_ i: Int) -> CalendarDate { CalendarDate(year: 2024, month: 1, day: 1 + i % 20) ?? CalendarDate(daysSinceEpoch: 19_723) }

    /// Creates the tenant tables in `db` and fills them.
    func load(into db: TestDatabase) async throws {
        let schema = try String(contentsOfFile: TestEnvironment.repositoryRoot.appendingPathComponent("scripts/fineract/tenant-schema.sql").path,
                                encoding: .utf8)
        try await db.pool.withConnection { try await $0.executeScript(schema) }
        let pool = db.pool
        for office in Self.offices {
            try await pool.query("INSERT INTO m_office (id, parent_id, hierarchy, name, opening_date) VALUES ($1, $2, $3, $4, '2020-01-01')",
                                 [office.id, office.parent, office.hierarchy, office.name])
        }
        try await pool.query("INSERT INTO m_code_value (id, code_id, code_value) VALUES (10, 4, 'Female'), (11, 4, 'Male')")
        for s in Self.staff {
            try await pool.query("""
                INSERT INTO m_staff (id, is_loan_officer, office_id, firstname, lastname, display_name, mobile_no, is_active, joining_date)
                VALUES ($1, TRUE, $2, $3, $4, $5, $6, TRUE, '2021-03-01')
                """, [s.id, s.office, s.first, s.last, "\(s.last), \(s.first)", s.phone])
        }
        try await pool.query("INSERT INTO m_payment_type (id, value) VALUES (1, 'Cash'), (2, 'Mobile Money')")
        for i in 0..<loans {
            let id = loanID(i)
            try await pool.query("""
                INSERT INTO m_client (id, account_no, office_id, display_name, mobile_no, gender_cv_id, date_of_birth, created_on_utc, last_modified_on_utc)
                VALUES ($1, $2, $3, $4, $5, $6, '1990-05-01', now() - interval '1 day', now() - interval '1 day')
                """, [id, "C\(id)", office(ofLoan: i), "Client \(i)", "0700\(id)", i % 2 == 0 ? 10 : 11])
            let start = disbursed(i)
            try await pool.query("""
                INSERT INTO m_loan (id, account_no, client_id, loan_officer_id, loan_status_id, loan_type_enum, currency_code, currency_digits,
                    principal_amount_proposed, principal_amount, approved_principal, net_disbursal_amount, annual_nominal_interest_rate,
                    interest_method_enum, repay_every, repayment_period_frequency_enum, number_of_repayments, amortization_method_enum,
                    submittedon_date, disbursedon_date, expected_disbursedon_date, expected_maturedon_date, principal_disbursed_derived,
                    fee_charges_charged_derived, created_on_utc, last_modified_on_utc)
                VALUES ($1, $2, $1, $3, 300, 1, 'NGN', 2, 900, 900, 900, 900, 24, 1, 1, 2, 3, 1, $4, $4, $4, $5, 900, 15,
                        now() - interval '1 day', now() - interval '1 day')
                """, [id, "L\(id)", officer(ofLoan: i), start, start + 90])
            for n in 1...3 {
                try await pool.query("""
                    INSERT INTO m_loan_repayment_schedule (loan_id, fromdate, duedate, installment, principal_amount, interest_amount,
                        fee_charges_amount, completed_derived, created_on_utc, last_modified_on_utc)
                    VALUES ($1, $2, $3, $4, 300, 18, 5, FALSE, now() - interval '1 day', now() - interval '1 day')
                    """, [id, start + 30 * (n - 1), start + 30 * n, n])
            }
            try await insertTransaction(loan: id, type: 1, date: start, principal: "900", interest: nil, fee: nil, db: db)
            if i % 3 != 2 {
                try await insertTransaction(loan: id, type: 2, date: start + 30, principal: "300", interest: "18", fee: "5", db: db)
            }
        }
        // The book was written a day ago: a first sync's watermark lookback does not reach it.
        try await pool.query("UPDATE m_loan_transaction SET created_on_utc = now() - interval '1 day', last_modified_on_utc = now() - interval '1 day'")
    }

    /// Inserts a transaction (with a payment detail) and returns its id.
    @discardableResult
    func insertTransaction(loan: Int64, type: Int, date: CalendarDate, principal: String, interest: String?, fee: String?, db: TestDatabase,
                           submitted: CalendarDate? = nil) async throws -> Int64 {
        let detail = try await db.pool.query("INSERT INTO m_payment_detail (payment_type_id, receipt_number) VALUES (1, $1) RETURNING id",
                                             ["R-\(loan)-\(date)"])[0].decode(Int64.self, "id")
        return try await db.pool.query("""
            INSERT INTO m_loan_transaction (loan_id, office_id, payment_detail_id, is_reversed, transaction_type_enum, transaction_date,
                amount, principal_portion_derived, interest_portion_derived, fee_charges_portion_derived, submitted_on_date,
                created_on_utc, last_modified_on_utc)
            VALUES ($1, 3, $2, FALSE, $3, $4, $5::numeric + COALESCE($6::numeric, 0) + COALESCE($7::numeric, 0), $5::numeric, $6::numeric, $7::numeric, $8, now(), now())
            RETURNING id
            """, [loan, detail, type, date, principal, interest, fee, submitted ?? date])[0].decode(Int64.self, "id")
    }

    /// The same book as NDJSON records, written from this description (not through the mapping).
    func ndjson(transactions: [(id: Int64, loan: Int64, type: Int, date: String, principal: String, interest: String?, fee: String?)]) -> String {
        var lines: [String] = []
        let branch: [Int64: String] = [3: "Kano", 4: "Kaduna"]
        for s in Self.staff {
            lines.append(#"{"officer_id":"\#(s.id)","officer_name":"\#(s.last), \#(s.first)","officer_phone":"\#(s.phone)","region":"North","branch":"\#(branch[s.office] ?? "")","employment_status":"Active","hire_date":"2021-03-01","has_float_gap":false}"#)
        }
        for office: Int64 in [3, 4] where (0..<loans).contains(where: { officer(ofLoan: $0) == nil && self.office(ofLoan: $0) == office }) {
            lines.append(#"{"officer_id":"unassigned-\#(office)","officer_name":"Unassigned (\#(branch[office] ?? ""))","region":"North","branch":"\#(branch[office] ?? "")","employment_status":"Active","has_float_gap":false}"#)
        }
        for i in 0..<loans {
            let id = loanID(i)
            lines.append(#"{"customer_id":"\#(id)","customer_name":"Client \#(i)","customer_phone":"0700\#(id)","date_of_birth":"1990-05-01","gender":"\#(i % 2 == 0 ? "Female" : "Male")"}"#)
        }
        for i in 0..<loans {
            let id = loanID(i), start = disbursed(i), office = self.office(ofLoan: i)
            let officerID = officer(ofLoan: i).map(String.init) ?? "unassigned-\(office)"
            let officerName = officer(ofLoan: i).map { o in Self.staff.first { $0.id == o }.map { "\($0.last), \($0.first)" } ?? "" } ?? "Unassigned (\(branch[office] ?? ""))"
            let phone = officer(ofLoan: i).flatMap { o in Self.staff.first { $0.id == o }?.phone }
            let schedule = (1...3).map { #"{"installment_number":\#($0),"due_date":"\#(start + 30 * $0)","principal_due":300.00,"interest_due":18.00,"fee_due":5.00}"# }
            lines.append(#"{"loan_id":"\#(id)","customer_id":"\#(id)","customer_name":"Client \#(i)","customer_phone":"0700\#(id)","officer_id":"\#(officerID)","officer_name":"\#(officerName)",\#(phone.map { #""officer_phone":"\#($0)","# } ?? "")"region":"North","branch":"\#(branch[office] ?? "")","loan_amount":900.00,"disbursement_date":"\#(start)","maturity_date":"\#(start + 90)","loan_term_days":90,"interest_rate":0.24,"fee_amount":15.00,"channel":"Direct","status":"Active","schedule":[\#(schedule.joined(separator: ","))]}"#)
        }
        for t in transactions where t.type == 2 {
            let amount = FineractMoney.text(cents: [t.principal, t.interest ?? "0", t.fee ?? "0"].compactMap { FineractMoney.cents($0) }.reduce(0, +))
            lines.append(#"{"repayment_id":"\#(t.id)","loan_id":"\#(t.loan)","payment_date":"\#(t.date)","payment_amount":\#(amount),"principal_paid":\#(t.principal),"interest_paid":\#(t.interest ?? "0"),"fees_paid":\#(t.fee ?? "0"),"penalty_paid":0,"payment_method":"Cash","payment_reference":"R-\#(t.loan)-\#(t.date)","is_backdated":false,"is_reversed":false}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
