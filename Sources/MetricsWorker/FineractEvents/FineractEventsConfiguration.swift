import AnalyticsCore
import Stomp

/// The settings of the consumer of Fineract's events (docs/fineract-events.md), read once from the
/// environment.
///
/// Keys: `FINERACT_EVENTS_URL` (the broker's STOMP connector, `stomp://host:port`; absent: no
/// consumer), `FINERACT_EVENTS_QUEUE` (default `fineract-events`), `FINERACT_EVENTS_USER` and
/// `FINERACT_EVENTS_PASSWORD` (the broker login, when it needs one; never logged),
/// `FINERACT_EVENTS_BATCH` (the most messages applied in one transaction, default 2000, 1-5000;
/// the subscription's prefetch is twice that), and the mapping's `FINERACT_REGION_LEVEL` and
/// `FINERACT_CHANNEL`, as the pull reads them.
struct FineractEventsConfiguration: Sendable {
    var broker: StompConfiguration
    var queue: String
    var batchSize: Int
    var regionLevel: Int
    var channel: FineractChannel

    /// `FINERACT_EVENTS_BATCH` when not set.
    static let defaultBatchSize = 2_000

    /// The settings, or nil when `FINERACT_EVENTS_URL` is not set.
    init?(environment: [String: String]) throws(ConfigurationError) {
        guard let url = environment["FINERACT_EVENTS_URL"], !url.isEmpty else { return nil }
        let user = environment["FINERACT_EVENTS_USER"].flatMap { $0.isEmpty ? nil : $0 }
        let password = environment["FINERACT_EVENTS_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            broker = try StompConfiguration(url: url, login: user, passcode: password)
        } catch {
            throw ConfigurationError(key: "FINERACT_EVENTS_URL", message: "\(error)")
        }
        let queue = environment["FINERACT_EVENTS_QUEUE"] ?? "fineract-events"
        guard !queue.isEmpty, !queue.contains(where: { $0 == "\n" || $0 == "\r" || $0 == ":" || $0 == "\0" }) else {
            throw ConfigurationError(key: "FINERACT_EVENTS_QUEUE", message: "must be a queue name (no colon or line break)")
        }
        self.queue = queue
        let batch = environment["FINERACT_EVENTS_BATCH"].flatMap { $0.isEmpty ? nil : $0 }
        if let batch {
            guard let size = Int(batch), (1...5_000).contains(size) else {
                throw ConfigurationError(key: "FINERACT_EVENTS_BATCH", message: "must be a whole number of messages from 1 to 5000, got '\(batch)'")
            }
            batchSize = size
        } else {
            batchSize = Self.defaultBatchSize
        }
        (regionLevel, channel) = try FineractConfiguration.mapping(environment: environment)
    }
}
