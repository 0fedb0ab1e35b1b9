@testable import MetricsWorker
import Testing

/// The consumer's settings from the environment (no servers).
@Suite("consume-fineract-events: settings")
struct FineractEventsConfigurationTests {
    static let url = ["FINERACT_EVENTS_URL": "stomp://127.0.0.1:61613"]

    @Test("no URL: no consumer; defaults: queue fineract-events, batches of 2000")
    func defaults() throws {
        #expect(try FineractEventsConfiguration(environment: [:]) == nil)
        let settings = try #require(try FineractEventsConfiguration(environment: Self.url))
        #expect(settings.queue == "fineract-events")
        #expect(settings.batchSize == 2_000)
        #expect(try FineractEventsConfiguration(environment: Self.url.merging(["FINERACT_EVENTS_BATCH": ""]) { $1 })?.batchSize == 2_000)
    }

    @Test("FINERACT_EVENTS_BATCH: 1 to 5000, anything else refused naming the key")
    func batch() throws {
        for (text, size) in [("1", 1), ("64", 64), ("5000", 5_000)] {
            #expect(try FineractEventsConfiguration(environment: Self.url.merging(["FINERACT_EVENTS_BATCH": text]) { $1 })?.batchSize == size)
        }
        for text in ["0", "-3", "5001", "many", "2.5", " 10"] {
            do {
                _ = try FineractEventsConfiguration(environment: Self.url.merging(["FINERACT_EVENTS_BATCH": text]) { $1 })
                Issue.record("FINERACT_EVENTS_BATCH=\(text) was accepted")
            } catch {
                #expect(error.key == "FINERACT_EVENTS_BATCH")
                #expect(error.message.contains("1 to 5000"))
            }
        }
    }
}
