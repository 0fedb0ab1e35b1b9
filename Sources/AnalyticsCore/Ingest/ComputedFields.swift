/// Fields the analytics service computes and never accepts from the source (INGEST.md): a
/// payload carrying one is rejected with a problem naming it.
public enum ComputedFields {
    /// The names.
    public static let names: Set<String> = [
        "current_dpd", "max_dpd_ever", "dpd_bucket",
        "first_payment_missed", "first_payment_due_date", "first_payment_received_date",
        "principal_outstanding", "interest_outstanding", "fees_outstanding", "total_outstanding",
        "total_principal_paid", "total_interest_paid", "total_fees_paid",
        "fimr_tagged", "early_indicator_tagged", "covered_to_date", "days_late", "risk_score",
        "status_as_of", "last_payment_date", "next_payment_due",
    ]
}
