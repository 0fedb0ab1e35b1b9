import AnalyticsCore
import AnalyticsStore

/// The settings of `sync-fineract` (docs/fineract.md), read once from the environment.
///
/// Keys: `FINERACT_DATABASE_URL` (the tenant database, a read replica and a read-only role are
/// enough; absent: no Fineract sync), `FINERACT_REGION_LEVEL` (the office depth that names the
/// region, default 1), `FINERACT_CHANNEL` (`direct`, the default, or `fund`).
struct FineractConfiguration: Sendable {
    var database: PostgresConfiguration
    var regionLevel: Int
    var channel: FineractChannel

    /// The settings, or nil when `FINERACT_DATABASE_URL` is not set.
    init?(environment: [String: String]) throws(ConfigurationError) {
        guard let url = environment["FINERACT_DATABASE_URL"], !url.isEmpty else { return nil }
        do {
            database = try PostgresConfiguration(url: url)
        } catch {
            throw ConfigurationError(key: "FINERACT_DATABASE_URL", message: "is not a database URL: \(error.message)")
        }
        (regionLevel, channel) = try Self.mapping(environment: environment)
    }

    /// `FINERACT_REGION_LEVEL` and `FINERACT_CHANNEL`: the mapping's settings, shared by the pull and
    /// the consumer of Fineract's events.
    static func mapping(environment: [String: String]) throws(ConfigurationError) -> (regionLevel: Int, channel: FineractChannel) {
        let level = environment["FINERACT_REGION_LEVEL"] ?? "1"
        guard let regionLevel = Int(level), (0...20).contains(regionLevel) else {
            throw ConfigurationError(key: "FINERACT_REGION_LEVEL", message: "must be a whole number from 0 to 20 (the office depth of a region), got '\(level)'")
        }
        let channelText = (environment["FINERACT_CHANNEL"] ?? "direct").lowercased()
        guard let channel = FineractChannel(rawValue: channelText) else {
            throw ConfigurationError(key: "FINERACT_CHANNEL", message: "must be direct or fund, got '\(channelText)'")
        }
        return (regionLevel, channel)
    }
}
