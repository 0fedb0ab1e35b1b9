import AnalyticsCore
import AnalyticsLogging
import AnalyticsStore
import Foundation
import Logging

/// The worker's settings, read once from the environment.
///
/// Keys: `DATABASE_URL` (required), `DATABASE_READ_URL` (the API's read replica; when it differs,
/// jobs wait for it to replay their commit before invalidating the cache), `REDIS_URL` (optional;
/// cache invalidation is skipped without it),
/// `ANALYTICS_TIMEZONE` (an IANA zone, default `Africa/Lagos`), `MIGRATIONS_DIR` (default
/// `migrations`), `DATABASE_POOL_SIZE` (default 6), `DQI_CHANNEL_PURITY` (`on`/`off`, default `on`),
/// `LOG_LEVEL` (`trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`; default `info`),
/// `LOG_FORMAT` (`json` or `text`, default `json`; see `LogSettings`); the Fineract settings of
/// `FineractConfiguration` (`FINERACT_DATABASE_URL`, `FINERACT_REGION_LEVEL`, `FINERACT_CHANNEL`). Log lines go to standard
/// error; standard output carries each command's result line.
struct WorkerConfiguration: Sendable {
    var database: PostgresConfiguration
    /// The streaming replica the API reads metrics from, when it is not the primary.
    var readDatabase: PostgresConfiguration?
    var redis: RedisConfiguration?
    var timeZone: String
    var migrationsDirectory: String
    var poolSize: Int
    var metricsOptions = MetricsOptions()
    /// `LOG_LEVEL` and `LOG_FORMAT`.
    var log: LogSettings
    /// The Fineract tenant to follow, when `FINERACT_DATABASE_URL` is set.
    var fineract: FineractConfiguration?
    /// The broker of Fineract's events, when `FINERACT_EVENTS_URL` is set.
    var fineractEvents: FineractEventsConfiguration?

    /// `LOG_LEVEL`: the level of the loggers the worker creates.
    var logLevel: Logger.Level { log.level }

    init(environment: [String: String]) throws(ConfigurationError) {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw ConfigurationError(key: "DATABASE_URL", message: "is not set (e.g. postgres://user:pass@127.0.0.1:5432/analytics)")
        }
        do {
            database = try PostgresConfiguration(url: url)
        } catch {
            throw ConfigurationError(key: "DATABASE_URL", message: "is not a database URL: \(error.message)")
        }
        if let readURL = environment["DATABASE_READ_URL"], !readURL.isEmpty, readURL != url {
            do {
                readDatabase = try PostgresConfiguration(url: readURL)
            } catch {
                throw ConfigurationError(key: "DATABASE_READ_URL", message: "is not a database URL: \(error.message)")
            }
        }
        if let redisURL = environment["REDIS_URL"], !redisURL.isEmpty {
            do {
                redis = try RedisConfiguration(url: redisURL)
            } catch {
                throw ConfigurationError(key: "REDIS_URL", message: error.message)
            }
        }
        timeZone = environment["ANALYTICS_TIMEZONE"] ?? "Africa/Lagos"
        guard TimeZone(identifier: timeZone) != nil else {
            throw ConfigurationError(key: "ANALYTICS_TIMEZONE", message: "is not a known time zone: '\(timeZone)'")
        }
        migrationsDirectory = environment["MIGRATIONS_DIR"] ?? "migrations"
        let size = environment["DATABASE_POOL_SIZE"] ?? "6"
        guard let poolSize = Int(size), (2...100).contains(poolSize) else {
            throw ConfigurationError(key: "DATABASE_POOL_SIZE", message: "must be a whole number from 2 to 100 (ingestion writes on one connection while it validates on another), got '\(size)'")
        }
        self.poolSize = poolSize
        switch environment["DQI_CHANNEL_PURITY"]?.lowercased() ?? "on" {
        case "on", "true", "1", "yes": metricsOptions = MetricsOptions(dqiUsesChannelPurity: true)
        case "off", "false", "0", "no": metricsOptions = MetricsOptions(dqiUsesChannelPurity: false)
        default: throw ConfigurationError(key: "DQI_CHANNEL_PURITY", message: "must be on or off")
        }
        fineract = try FineractConfiguration(environment: environment)
        fineractEvents = try FineractEventsConfiguration(environment: environment)
        do {
            log = try LogSettings(environment: environment)
        } catch {
            throw ConfigurationError(key: error.key, message: error.message)
        }
    }
}

/// A setting that is missing or malformed; the message names the key.
struct ConfigurationError: Error, CustomStringConvertible {
    var key: String
    var message: String
    var description: String { "configuration error: \(key) \(message)" }
}
