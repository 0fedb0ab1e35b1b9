import AnalyticsLogging
import AnalyticsStore
import Foundation

/// The API's settings, read once from the environment at start.
///
/// Keys and defaults: `DATABASE_URL` (required), `DATABASE_READ_URL` (default: `DATABASE_URL`; metric
/// reads use it and fall back to the primary when it cannot answer (`ReadPool`), audit data always
/// the primary), `REDIS_URL` (optional; without it every read goes
/// to PostgreSQL), `PORT` (default 8080), `BIND_ADDRESS` (default `0.0.0.0`), `JWT_SECRET`
/// (required: HS256 key), `JWT_SECRET_PREVIOUS` (optional, still accepted during a rotation),
/// `JWT_PUBLIC_KEY_FILE` (optional PEM for RS256), `ANALYTICS_TIMEZONE` (default `Africa/Lagos`),
/// `CACHE_TTL_SECONDS` (default 900), `CACHE_REFRESH_AHEAD_KEYS` (default 512, 0...100000: how many
/// recently read entries are loaded again ahead of their readers when an invalidation moves them;
/// 0 switches refresh ahead off), `CORS_ALLOWED_ORIGINS` (comma-separated, default none),
/// `DATABASE_POOL_SIZE` (default 10), `DATABASE_ACQUIRE_TIMEOUT_MS` (default 2000), `LOG_LEVEL`
/// (`trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`; default `info`), `LOG_FORMAT`
/// (`json`: one JSON object per line, or `text`; default `json`). Log lines, one per request among
/// them, go to standard output (see `LogSettings` and `RequestLogSink`).
/// `IDEMPOTENCY_KEY_TTL_HOURS` (default 24, 1...720: how long an `Idempotency-Key` of `POST .../actions` and the
/// response stored with it are kept; the stored response holds customer names and phone numbers).
/// `INGEST_MAX_BYTES` (default 268435456 = 256 MiB, 1024...17179869184: the largest body of
/// `POST /api/v1/ingest`; every other body stays limited to 64 KiB).
/// `INGEST_DB_POOL_SIZE` (default 5, 2...100: the connections to the primary that
/// `POST /api/v1/ingest` uses, a pool apart from `DATABASE_POOL_SIZE` so ingests never take the
/// readers' connections; a load of one chunk takes one, a longer load two at once, and a third
/// while it writes two chunks at once, when three are free: another load's pair stays possible).
struct APIConfiguration: Sendable {
    var database: PostgresConfiguration
    var readDatabase: PostgresConfiguration
    var redis: RedisConfiguration?
    var bindAddress: String
    var port: Int
    var poolSize: Int
    /// `INGEST_DB_POOL_SIZE`.
    var ingestPoolSize: Int
    var acquireTimeout: Duration
    var jwtSecret: String
    var jwtPreviousSecret: String?
    var jwtPublicKeyPEM: String?
    var timeZone: String
    var cacheTTLSeconds: Int
    /// `CACHE_REFRESH_AHEAD_KEYS`.
    var refreshAheadKeys: Int
    var corsAllowedOrigins: Set<String>
    /// `LOG_LEVEL` and `LOG_FORMAT`.
    var log: LogSettings
    var idempotencyKeyTTLHours: Int
    /// `INGEST_MAX_BYTES`.
    var ingestMaxBytes: Int

    init(environment: [String: String]) throws(APIConfigurationError) {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        func required(_ key: String) throws(APIConfigurationError) -> String {
            guard let value = value(key) else { throw APIConfigurationError(key: key, message: "is not set") }
            return value
        }
        func integer(_ key: String, default fallback: Int, _ range: ClosedRange<Int>) throws(APIConfigurationError) -> Int {
            guard let text = value(key) else { return fallback }
            guard let parsed = Int(text), range.contains(parsed) else {
                throw APIConfigurationError(key: key, message: "must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return parsed
        }
        let url = try required("DATABASE_URL")
        do {
            database = try PostgresConfiguration(url: url)
        } catch {
            throw APIConfigurationError(key: "DATABASE_URL", message: "is not a database URL: \(error.message)")
        }
        do {
            readDatabase = try value("DATABASE_READ_URL").map { u throws(PostgresError) in try PostgresConfiguration(url: u) } ?? database
        } catch {
            throw APIConfigurationError(key: "DATABASE_READ_URL", message: "is not a database URL: \(error.message)")
        }
        if let redisURL = value("REDIS_URL") {
            do {
                redis = try RedisConfiguration(url: redisURL)
            } catch {
                throw APIConfigurationError(key: "REDIS_URL", message: error.message)
            }
        }
        bindAddress = value("BIND_ADDRESS") ?? "0.0.0.0"
        port = try integer("PORT", default: 8080, 1...65535)
        poolSize = try integer("DATABASE_POOL_SIZE", default: 10, 1...200)
        // At least two: a load longer than one chunk takes two connections at once.
        ingestPoolSize = try integer("INGEST_DB_POOL_SIZE", default: 5, 2...100)
        acquireTimeout = .milliseconds(try integer("DATABASE_ACQUIRE_TIMEOUT_MS", default: 2000, 10...60000))
        jwtSecret = try required("JWT_SECRET")
        // HS256 keys shorter than the hash output are weak (and JWTKit refuses them).
        guard jwtSecret.utf8.count >= 32 else { throw APIConfigurationError(key: "JWT_SECRET", message: "must be at least 32 bytes") }
        jwtPreviousSecret = value("JWT_SECRET_PREVIOUS")
        if let previous = jwtPreviousSecret, previous.utf8.count < 32 {
            throw APIConfigurationError(key: "JWT_SECRET_PREVIOUS", message: "must be at least 32 bytes")
        }
        if let path = value("JWT_PUBLIC_KEY_FILE") {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw APIConfigurationError(key: "JWT_PUBLIC_KEY_FILE", message: "cannot be read: '\(path)'")
            }
            jwtPublicKeyPEM = pem
        }
        timeZone = value("ANALYTICS_TIMEZONE") ?? "Africa/Lagos"
        guard TimeZone(identifier: timeZone) != nil else {
            throw APIConfigurationError(key: "ANALYTICS_TIMEZONE", message: "is not a known time zone: '\(timeZone)'")
        }
        idempotencyKeyTTLHours = try integer("IDEMPOTENCY_KEY_TTL_HOURS",
                                             default: PostgresAuditRepository.defaultIdempotencyKeyTTLHours, 1...720)
        ingestMaxBytes = try integer("INGEST_MAX_BYTES", default: IngestController.defaultMaximumBytes, 1024...(16 << 30))
        cacheTTLSeconds = try integer("CACHE_TTL_SECONDS", default: CacheNamespace.defaultTTLSeconds, 1...86_400)
        refreshAheadKeys = try integer("CACHE_REFRESH_AHEAD_KEYS", default: HotKeys.defaultCapacity, 0...100_000)
        corsAllowedOrigins = Set((value("CORS_ALLOWED_ORIGINS") ?? "").split(separator: ",").map {
            String($0.trimmingWhitespace())
        }.filter { !$0.isEmpty })
        do {
            log = try LogSettings(environment: environment)
        } catch {
            throw APIConfigurationError(key: error.key, message: error.message)
        }
    }
}

/// A missing or malformed setting; the message names the key.
struct APIConfigurationError: Error, CustomStringConvertible {
    var key: String
    var message: String
    var description: String { "configuration error: \(key) \(message)" }
}
