import AnalyticsCore
import AnalyticsStore

/// The loans a sync loaded from the tenant (`fineract_loans`, migration 0013), and the records that
/// mark one Cancelled when Fineract no longer has it at all (`--reconcile`).
enum FineractHeldLoans {
    /// Records in the caller's transaction that the chunk's loans came from the tenant.
    static func record(_ loanIDs: [String], on tx: PostgresConnection) async throws {
        guard !loanIDs.isEmpty else { return }
        try await tx.execute("""
            INSERT INTO fineract_loans (source, loan_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING
            """, [FineractSync.source, loanIDs])
    }

    /// The loans from the tenant that we hold and that are not Cancelled, ascending by Fineract id.
    static func active(on pool: PostgresPool) async throws -> [Int64] {
        try await pool.query("""
            SELECT a.loan_id FROM loan_accounts a JOIN fineract_loans f ON f.loan_id = a.loan_id AND f.source = $1
            WHERE a.status <> 'Cancelled'
            """, [FineractSync.source]).compactMap { Int64(try $0.decode(String.self, "loan_id")) }.sorted()
    }

    /// The loan fields as stored (`loan_accounts`), in the order of an ingest record; `true` for a number.
    private static let fields: [(name: String, number: Bool)] = [
        ("customer_id", false), ("customer_name", false), ("customer_phone", false), ("officer_id", false),
        ("officer_name", false), ("officer_phone", false), ("region", false), ("branch", false), ("state", false),
        ("loan_amount", true), ("disbursement_date", false), ("maturity_date", false), ("loan_term_days", true),
        ("interest_rate", true), ("fee_amount", true), ("repayment_every_days", true), ("channel", false),
        ("channel_partner", false),
    ]

    /// Loan records for `loanIDs` as we hold them, with status Cancelled and no closing date, and
    /// their schedule when the source gave one (a generated schedule is generated again): sent
    /// through the ingest path, they change the status and nothing else. Repayments are left.
    static func cancelled(_ loanIDs: [Int64], on pool: PostgresPool) async throws -> [IngestEntry] {
        guard !loanIDs.isEmpty else { return [] }
        let ids = loanIDs.map(String.init)
        let columns = fields.map { "\($0.name)::text AS \($0.name)" }.joined(separator: ", ")
        var schedules: [String: [JSONValue]] = [:]
        for row in try await pool.query("""
            SELECT loan_id, installment_number::text AS n, due_date::text AS due, principal_due::text AS p,
                   interest_due::text AS i, fee_due::text AS f
            FROM loan_schedule WHERE loan_id = ANY($1::text[]) AND schedule_source = 'given'
            ORDER BY loan_id, installment_number
            """, [ids]) {
            let members: [JSONObject.Member] = [
                .init(key: "installment_number", value: .number(try row.decode(String.self, "n"))),
                .init(key: "due_date", value: .string(try row.decode(String.self, "due"))),
                .init(key: "principal_due", value: .number(try row.decode(String.self, "p"))),
                .init(key: "interest_due", value: .number(try row.decode(String.self, "i"))),
                .init(key: "fee_due", value: .number(try row.decode(String.self, "f"))),
            ]
            schedules[try row.decode(String.self, "loan_id"), default: []].append(.object(JSONObject(members: members)))
        }
        return try await pool.query("SELECT loan_id, \(columns) FROM loan_accounts WHERE loan_id = ANY($1::text[]) ORDER BY loan_id",
                                    [ids]).map { row in
            let loanID = try row.decode(String.self, "loan_id")
            var members: [JSONObject.Member] = [.init(key: "loan_id", value: .string(loanID))]
            for field in fields {
                guard let text = try row.decode(String?.self, field.name) else { continue }
                members.append(.init(key: field.name, value: field.number ? .number(text) : .string(text)))
            }
            members.append(.init(key: "status", value: .string(LoanStatus.cancelled.rawValue)))
            if let schedule = schedules[loanID] { members.append(.init(key: "schedule", value: .array(schedule))) }
            return IngestEntry(location: "m_loan \(loanID) (absent from the tenant)", kind: .loan,
                               value: .success(.object(JSONObject(members: members))), raw: "")
        }
    }
}
