import Logging
import Stomp

/// The broker and queue, from the consumer's own settings: `FINERACT_EVENTS_URL`
/// (`stomp://host:port`), `FINERACT_EVENTS_QUEUE` (default `fineract-events`),
/// `FINERACT_EVENTS_USER` and `FINERACT_EVENTS_PASSWORD`.
struct BrokerSettings {
    var configuration: StompConfiguration
    var queue: String

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    init(environment: [String: String]) throws {
        guard let url = environment["FINERACT_EVENTS_URL"], !url.isEmpty else {
            throw Missing(description: "FINERACT_EVENTS_URL is not set: give the broker's STOMP connector, stomp://host:port")
        }
        configuration = try StompConfiguration(url: url, login: environment["FINERACT_EVENTS_USER"],
                                               passcode: environment["FINERACT_EVENTS_PASSWORD"])
        configuration.receiptTimeout = .seconds(120)
        queue = environment["FINERACT_EVENTS_QUEUE"] ?? "fineract-events"
    }

    static var logger: Logger {
        var logger = Logger(label: "fineract-events-bench")
        logger.logLevel = .warning
        return logger
    }
}
