import AnalyticsStore

/// What one `sync-fineract` run did.
struct FineractSyncResult: Sendable {
    /// `full` or `incremental`.
    var mode = "full"
    /// Loans read from the tenant.
    var loansRead = 0
    /// Loans the mapping left out (never disbursed, not held).
    var loansSkipped = 0
    /// Loans rejected whole (in `etl_rejects`).
    var loansRejected = 0
    /// Loans from the tenant we held that it no longer has at all (`--reconcile`: marked Cancelled).
    var missingInTenant = 0
    /// True when the run resumed an interrupted one.
    var resumed = false
    /// The records sent through the ingest path (the dry run counts them without writing).
    var summary = Ingestor.Summary()
    /// Dry run: records that would be sent, per kind.
    var wouldSend: [String: Int] = [:]

    /// What the job reports (`metric_calculation_log` counts and the result line).
    var counts: JobCounts {
        JobCounts(processed: loansRead, updated: summary.accepted, failed: summary.rejected).described(line)
    }

    /// The result line.
    var line: String {
        var parts = ["sync-fineract (\(mode)\(resumed ? ", resumed" : "")): loans read \(loansRead), rejected \(loansRejected), skipped \(loansSkipped)"]
        if missingInTenant > 0 { parts.append("\(missingInTenant) loans we held are no longer in Fineract (marked Cancelled)") }
        if wouldSend.isEmpty {
            parts.append(summary.line)
        } else {
            parts.append("dry run, nothing written; would send " + wouldSend.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
}
