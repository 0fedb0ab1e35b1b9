import AnalyticsStore

/// The Fineract tenant a long-running process follows: its settings and a pool on its database
/// (one connection: a sync reads in one snapshot). The daemon runs the pool as a service beside
/// its own and hands this to its `sync-fineract` schedule entry.
struct FineractTenant: Sendable {
    let configuration: FineractConfiguration
    let pool: PostgresPool

    /// The options of a scheduled sync: the defaults of `sync-fineract` with the tenant's settings.
    var scheduledOptions: FineractSyncOptions {
        var options = FineractSyncOptions()
        options.regionLevel = configuration.regionLevel
        options.channel = configuration.channel
        return options
    }
}
