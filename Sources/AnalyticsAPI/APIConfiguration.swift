import AnalyticsStore

/// The API's settings, read once from the environment at start.
///
/// Keys and defaults: `DATABASE_URL` (required), `DATABASE_READ_URL` (default: `DATABASE_URL`),
/// `REDIS_URL` (optional; without it every read goes to PostgreSQL), `PORT` (default 8080),
/// `BIND_ADDRESS` (default `0.0.0.0`; scripts use `127.0.0.1`), `DATABASE_POOL_SIZE` (default 10),
/// `DATABASE_ACQUIRE_TIMEOUT_MS` (default 2000), `LOG_LEVEL` (default `info`).
struct APIConfiguration: Sendable {
    var database: PostgresConfiguration
    var readDatabase: PostgresConfiguration
    var redis: RedisConfiguration?
    var bindAddress: String
    var port: Int
    var poolSize: Int
    var acquireTimeout: Duration

    init(environment: [String: String]) throws(APIConfigurationError) {
        func required(_ key: String) throws(APIConfigurationError) -> String {
            guard let value = environment[key], !value.isEmpty else {
                throw APIConfigurationError(key: key, message: "is not set")
            }
            return value
        }
        func integer(_ key: String, default value: Int, _ range: ClosedRange<Int>) throws(APIConfigurationError) -> Int {
            guard let text = environment[key], !text.isEmpty else { return value }
            guard let parsed = Int(text), range.contains(parsed) else {
                throw APIConfigurationError(key: key, message: "must be a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return parsed
        }
        let url = try required("DATABASE_URL")
        do {
            database = try PostgresConfiguration(url: url)
        } catch {
            throw APIConfigurationError(key: "DATABASE_URL", message: error.message)
        }
        do {
            readDatabase = try environment["DATABASE_READ_URL"].flatMap { $0.isEmpty ? nil : $0 }
                .map { u throws(PostgresError) in try PostgresConfiguration(url: u) } ?? database
        } catch {
            throw APIConfigurationError(key: "DATABASE_READ_URL", message: error.message)
        }
        if let redisURL = environment["REDIS_URL"], !redisURL.isEmpty {
            do {
                redis = try RedisConfiguration(url: redisURL)
            } catch {
                throw APIConfigurationError(key: "REDIS_URL", message: error.message)
            }
        }
        bindAddress = environment["BIND_ADDRESS"].flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0"
        port = try integer("PORT", default: 8080, 1...65535)
        poolSize = try integer("DATABASE_POOL_SIZE", default: 10, 1...200)
        acquireTimeout = .milliseconds(try integer("DATABASE_ACQUIRE_TIMEOUT_MS", default: 2000, 10...60000))
    }
}

/// A missing or malformed setting; the message names the key.
struct APIConfigurationError: Error, CustomStringConvertible {
    var key: String
    var message: String
    var description: String { "configuration error: \(key) \(message)" }
}
