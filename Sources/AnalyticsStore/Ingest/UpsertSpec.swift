/// How one table is loaded: COPY into a session-local staging table, then one
/// `INSERT ... ON CONFLICT DO UPDATE ... WHERE changed` that touches only new or changed rows.
///
/// Table and column names are constants of this file, never input; values travel only by COPY.
struct UpsertSpec: Sendable {
    let table: String
    let key: String
    let columns: [String]

    var stage: String { "stage_\(table)" }

    var createStage: String {
        "CREATE TEMP TABLE IF NOT EXISTS \(stage) (LIKE \(table) INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    }

    var copyIntoStage: String {
        "COPY \(stage) (\(columns.joined(separator: ", "))) FROM STDIN"
    }

    /// Inserts new rows, updates changed ones, leaves identical ones alone; returns one row per
    /// written record: its key and whether it was inserted.
    var upsert: String { upsertReturning("t.\(key) AS key, (xmax = 0) AS inserted") }

    /// The upsert with its own RETURNING list (`t` is the table).
    func upsertReturning(_ returning: String) -> String {
        let list = columns.joined(separator: ", ")
        let updated = columns.filter { $0 != key }
        let assignments = updated.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        let current = updated.map { "t.\($0)" }.joined(separator: ", ")
        let incoming = updated.map { "EXCLUDED.\($0)" }.joined(separator: ", ")
        return """
            INSERT INTO \(table) AS t (\(list)) SELECT \(list) FROM \(stage)
            ON CONFLICT (\(key)) DO UPDATE SET \(assignments)
            WHERE (\(current)) IS DISTINCT FROM (\(incoming))
            RETURNING \(returning)
            """
    }

    static let officers = UpsertSpec(table: "officers", key: "officer_id", columns: [
        "officer_id", "officer_name", "officer_phone", "officer_email", "region", "branch", "employment_status",
        "hire_date", "termination_date", "primary_channel", "has_float_gap",
    ])

    static let customers = UpsertSpec(table: "customers", key: "customer_id", columns: [
        "customer_id", "customer_name", "customer_phone", "customer_email", "date_of_birth", "gender", "state", "lga",
        "address", "kyc_status", "kyc_verified_date",
    ])

    static let teamMembers = UpsertSpec(table: "team_members", key: "member_id", columns: [
        "member_id", "member_name", "member_email", "member_phone", "role", "department", "is_active",
    ])

    static let loans = UpsertSpec(table: "loan_accounts", key: "loan_id", columns: [
        "loan_id", "customer_id", "customer_name", "customer_phone", "officer_id", "officer_name", "officer_phone",
        "region", "branch", "state", "loan_amount", "disbursement_date", "maturity_date", "loan_term_days",
        "interest_rate", "fee_amount", "repayment_every_days", "channel", "channel_partner", "status", "closed_date",
        "schedule_checksum",
    ])

    static let repayments = UpsertSpec(table: "repayments", key: "repayment_id", columns: [
        "repayment_id", "loan_id", "payment_date", "payment_amount", "principal_paid", "interest_paid", "fees_paid",
        "penalty_paid", "payment_method", "payment_reference", "payment_channel", "is_backdated", "is_reversed",
        "reversal_date", "reversal_reason", "waiver_amount", "waiver_type", "waiver_approved_by",
    ])

    static let schedule = UpsertSpec(table: "loan_schedule", key: "loan_id", columns: [
        "loan_id", "installment_number", "due_date", "principal_due", "interest_due", "fee_due", "total_due",
        "schedule_source",
    ])
}
