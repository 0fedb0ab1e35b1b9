/// The longest text each field's column holds (`VARCHAR(n)` of migrations/0001_core_schema.sql; the phones
/// of officers and customers widened to Fineract's 50 by 0013_fineract_sync.sql),
/// in characters (Unicode code points, as PostgreSQL counts them). A field of the same name has
/// the same limit in every table (a loan's `officer_name` is the officer's). Fields not listed
/// (`address`, `reversal_reason`) are `TEXT`, without a limit.
enum TextLimits {
    static let maximum: [String: Int] = [
        "officer_id": 50, "officer_name": 255, "officer_phone": 50, "officer_email": 255,
        "region": 100, "branch": 100, "employment_status": 50, "primary_channel": 50,
        "customer_id": 50, "customer_name": 255, "customer_phone": 50, "customer_email": 255,
        "gender": 10, "state": 100, "lga": 100, "kyc_status": 50,
        "member_id": 50, "member_name": 255, "member_email": 255, "member_phone": 20, "role": 100, "department": 100,
        "loan_id": 50, "channel": 50, "channel_partner": 100, "status": 50,
        "repayment_id": 50, "payment_method": 50, "payment_reference": 100, "payment_channel": 50,
        "waiver_type": 50, "waiver_approved_by": 100,
    ]

    /// The smallest limit: a text of at most this many UTF-8 bytes fits every column, so it needs
    /// no lookup (most values of a record).
    static let shortest = maximum.values.min() ?? 0
}
