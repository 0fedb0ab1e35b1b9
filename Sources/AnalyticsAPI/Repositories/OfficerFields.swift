/// The fields of an officer row (API.md "Field names"): the design's names, then every other
/// column of METRICS.md section 4 under its own name. `m` is `officer_metrics_daily`, `off` is
/// `officers`. The audit fields are not here: they are joined at read time from the primary.
enum OfficerFields {
    private static func n(_ name: String, _ column: String? = nil) -> FieldSpec {
        FieldSpec(name: name, sql: "m." + (column ?? name), kind: .number)
    }

    /// Every metric field, in response order.
    static let all: [FieldSpec] = [
        FieldSpec(name: "officer_id", sql: "m.officer_id", kind: .string),
        FieldSpec(name: "officer_name", sql: "off.officer_name", kind: .string),
        FieldSpec(name: "region", sql: "off.region", kind: .string),
        FieldSpec(name: "branch", sql: "off.branch", kind: .string),
        FieldSpec(name: "calculation_date", sql: "m.calculation_date", kind: .string),
        n("risk_score"),
        FieldSpec(name: "risk_band", sql: "m.risk_band", kind: .string),
        n("ayr"), n("dqi"), n("fimr"), n("all_time_fimr"), n("d06_slippage"), n("roll"), n("frr"),
        n("portfolio_total", "total_portfolio"), n("overdue_15d", "overdue_15d_amount"), n("active_loans"),
        FieldSpec(name: "channel", sql: "COALESCE(off.primary_channel, 'Direct')", kind: .string),
        n("yield", "total_yield"), n("porr"), n("channel_purity"), n("rank"),
        n("total_disbursed_count"), n("total_disbursed_amount"), n("overdue_15d_count"), n("par15_ratio"),
        n("disbursed_count"), n("first_miss_count"), n("dpd_1to6_balance"), n("amount_due_7d"),
        n("prev_dpd_1to6_balance"), n("moved_to_7to30"), n("fees_collected"), n("fees_due"),
        n("interest_collected"), n("par15_mid_month"), n("on_time_rate"), n("waivers_amount"),
        n("total_entries"), n("backdated_count"), n("reversals_count"),
        FieldSpec(name: "had_float_gap", sql: "m.had_float_gap", kind: .bool),
        n("risk_score_norm"),
    ]

    /// The audit fields of a list row, joined at read time.
    static let auditFields: [AuditInfo.Field] = [.assignee, .auditStatus, .lastAuditDate]

    /// Every field name a client may ask for with `fields=`.
    static let selectable: Set<String> = Set(all.map(\.name) + auditFields.map(\.rawValue))

    /// Fields `sort=` accepts: the numeric ones.
    static let sortable: [String: FieldSpec] = Dictionary(
        uniqueKeysWithValues: all.filter { $0.kind == .number }.map { ($0.name, $0) })
}

/// The fields of a branch row (`b` is `branch_metrics_daily`).
enum BranchFields {
    private static func n(_ name: String) -> FieldSpec { FieldSpec(name: name, sql: "b." + name, kind: .number) }

    /// Every field, in response order.
    static let all: [FieldSpec] = [
        FieldSpec(name: "branch", sql: "b.branch", kind: .string),
        FieldSpec(name: "region", sql: "b.region", kind: .string),
        FieldSpec(name: "calculation_date", sql: "b.calculation_date", kind: .string),
        n("portfolio_total"), n("overdue_15d"), n("par15_ratio"), n("ayr"), n("dqi"), n("fimr"),
        n("active_loans"), n("total_officers"),
    ]

    /// Fields `sort=` accepts.
    static let sortable: [String: FieldSpec] = Dictionary(
        uniqueKeysWithValues: all.filter { $0.kind == .number }.map { ($0.name, $0) })
}

/// The fields of a drilldown row (`l` is `loans`), METRICS.md section 3.
enum LoanFields {
    /// Every field, in response order.
    static let all: [FieldSpec] = [
        FieldSpec(name: "loan_id", sql: "l.loan_id", kind: .string),
        FieldSpec(name: "customer_name", sql: "l.customer_name", kind: .string),
        FieldSpec(name: "customer_phone", sql: "l.customer_phone", kind: .phone),
        FieldSpec(name: "officer_id", sql: "l.officer_id", kind: .string),
        FieldSpec(name: "officer_name", sql: "l.officer_name", kind: .string),
        FieldSpec(name: "region", sql: "l.region", kind: .string),
        FieldSpec(name: "branch", sql: "l.branch", kind: .string),
        FieldSpec(name: "disbursement_date", sql: "l.disbursement_date", kind: .string),
        FieldSpec(name: "loan_amount", sql: "l.loan_amount", kind: .number),
        FieldSpec(name: "first_payment_due_date", sql: "l.first_payment_due_date", kind: .string),
        FieldSpec(name: "first_payment_received_date", sql: "l.first_payment_received_date", kind: .string),
        FieldSpec(name: "days_late", sql: "l.days_late", kind: .number),
        FieldSpec(name: "fimr_tagged", sql: "l.fimr_tagged", kind: .bool),
        FieldSpec(name: "early_indicator_tagged", sql: "l.early_indicator_tagged", kind: .bool),
        FieldSpec(name: "current_dpd", sql: "l.current_dpd", kind: .number),
        FieldSpec(name: "dpd_bucket", sql: "l.dpd_bucket", kind: .string),
        FieldSpec(name: "status", sql: "COALESCE(l.status_as_of, l.status)", kind: .string),
        FieldSpec(name: "outstanding_balance", sql: "l.total_outstanding", kind: .number),
        FieldSpec(name: "last_payment_date", sql: "l.last_payment_date", kind: .string),
        FieldSpec(name: "next_payment_due", sql: "l.next_payment_due", kind: .string),
        FieldSpec(name: "risk_score", sql: "l.loan_risk_score", kind: .number),
    ]

    /// Every field name a client may ask for with `fields=`.
    static let selectable: Set<String> = Set(all.map(\.name))
}
