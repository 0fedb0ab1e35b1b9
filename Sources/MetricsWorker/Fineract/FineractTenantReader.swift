import AnalyticsCore
import AnalyticsStore

/// Reads a Fineract tenant on one connection inside the sync's read-only, repeatable-read
/// transaction (one snapshot for the whole run). Every value is a bound parameter; money and dates
/// are read as text (``FineractMoney`` checks the decimals).
struct FineractTenantReader {
    let connection: PostgresConnection

    /// Starts the snapshot: read only, repeatable read. Returns the tenant's clock at its start
    /// (the next watermark), as timestamptz text.
    func begin() async throws -> String {
        try await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return try await connection.query("SELECT now()::text AS now")[0].decode(String.self, "now")
    }

    func offices() async throws -> [FineractOffice] {
        try await connection.query("SELECT id, name, hierarchy FROM m_office ORDER BY id").map {
            FineractOffice(id: try $0.decode(Int64.self, "id"), name: try $0.decode(String.self, "name"),
                           hierarchy: try $0.decode(String?.self, "hierarchy"))
        }
    }

    /// Every loan officer and every staff row a loan points at.
    func staff() async throws -> [FineractStaff] {
        try await connection.query("""
            SELECT s.id, s.office_id, s.display_name, s.mobile_no, s.email_address, s.is_active, s.joining_date::text AS joining_date
            FROM m_staff s
            WHERE s.is_loan_officer OR EXISTS (SELECT 1 FROM m_loan l WHERE l.loan_officer_id = s.id)
            ORDER BY s.id
            """).map {
            FineractStaff(id: try $0.decode(Int64.self, "id"), officeID: try $0.decode(Int64?.self, "office_id"),
                          displayName: try $0.decode(String.self, "display_name"), mobileNo: try $0.decode(String?.self, "mobile_no"),
                          emailAddress: try $0.decode(String?.self, "email_address"), isActive: try $0.decode(Bool.self, "is_active"),
                          joiningDate: try $0.decode(String?.self, "joining_date"))
        }
    }

    /// The changed-since condition on a table's audit columns (FINERACT.md: `COALESCE(last_modified_on_utc,
    /// created_on_utc, epoch) >= since`), written so an index on either column can serve it.
    static func changed(_ alias: String) -> String {
        "(\(alias).last_modified_on_utc >= $1::timestamptz OR (\(alias).last_modified_on_utc IS NULL AND \(alias).created_on_utc >= $1::timestamptz))"
    }

    /// Clients after id `after` (all, or changed since `since`), `limit` of them in id order.
    func clients(after: Int64, limit: Int, since: String?) async throws -> [FineractClient] {
        let condition = since == nil ? "$1::text IS NULL" : Self.changed("c")
        return try await connection.query("""
            SELECT c.id, c.office_id, c.display_name, c.mobile_no, c.email_address, c.date_of_birth::text AS date_of_birth,
                   g.code_value AS gender
            FROM m_client c LEFT JOIN m_code_value g ON g.id = c.gender_cv_id
            WHERE \(condition) AND c.id > $2 ORDER BY c.id LIMIT $3
            """, [since, after, limit]).map {
            FineractClient(id: try $0.decode(Int64.self, "id"), officeID: try $0.decode(Int64.self, "office_id"),
                           displayName: try $0.decode(String.self, "display_name"), mobileNo: try $0.decode(String?.self, "mobile_no"),
                           emailAddress: try $0.decode(String?.self, "email_address"),
                           dateOfBirth: try $0.decode(String?.self, "date_of_birth"), gender: try $0.decode(String?.self, "gender"))
        }
    }

    /// The ids of the loans to read, ascending: with `since` nil every loan in `statuses`; otherwise
    /// those whose loan row, a schedule row, a transaction or their client changed since `since`.
    func candidateLoans(since: String?, statuses: [Int]) async throws -> [Int64] {
        let sql: String
        if since == nil {
            sql = "SELECT id FROM m_loan WHERE $1::text IS NULL AND loan_status_id = ANY($2::int[]) ORDER BY id"
        } else {
            sql = """
                SELECT l.id FROM m_loan l
                WHERE l.loan_status_id = ANY($2::int[]) AND l.id IN (
                    SELECT x.id FROM m_loan x WHERE \(Self.changed("x"))
                    UNION SELECT s.loan_id FROM m_loan_repayment_schedule s WHERE \(Self.changed("s"))
                    UNION SELECT t.loan_id FROM m_loan_transaction t WHERE \(Self.changed("t"))
                    UNION SELECT y.id FROM m_loan y JOIN m_client c ON c.id = y.client_id WHERE \(Self.changed("c")))
                ORDER BY l.id
                """
        }
        return try await connection.query(sql, [since, statuses]).map { try $0.decode(Int64.self, "id") }
    }

    /// Which of `ids` Fineract has, with their status.
    func statuses(of ids: [Int64]) async throws -> [Int64: Int] {
        var out: [Int64: Int] = [:]
        for row in try await connection.query("SELECT id, loan_status_id FROM m_loan WHERE id = ANY($1::bigint[])", [ids]) {
            out[try row.decode(Int64.self, "id")] = try row.decode(Int.self, "loan_status_id")
        }
        return out
    }
}
