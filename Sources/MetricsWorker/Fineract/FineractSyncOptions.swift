import AnalyticsCore

/// What one `sync-fineract` run is asked to do.
struct FineractSyncOptions: Sendable {
    /// Read every loan (`--full`; also the first run, without a watermark).
    var full = false
    /// Seconds subtracted from the watermark (`--lookback`, default 10 minutes).
    var lookbackSeconds = 600
    /// Also mark loans we hold that Fineract no longer shows as disbursed as Cancelled.
    var reconcile = false
    /// Read and map, write nothing, print what would change.
    var dryRun = false
    /// Loans per read batch and per ingest chunk (with their schedules and transactions).
    var batchSize = defaultBatchSize
    /// The default `--batch-size`: 2,500 loans (about 66,000 tenant rows) per transaction. Against
    /// 1,000, PostgreSQL spends a fifth less per loan (fewer statements, commits and staging
    /// truncations for the same rows) for a peak RSS of about 270 MiB instead of 130.
    static let defaultBatchSize = 2_500
    /// `FINERACT_REGION_LEVEL`.
    var regionLevel = 1
    /// `FINERACT_CHANNEL`.
    var channel = FineractChannel.direct
}
