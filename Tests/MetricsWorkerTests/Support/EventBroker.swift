import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import FineractEvents
import Foundation
import Logging
@testable import MetricsWorker
import Stomp

/// The broker side of the consumer's tests: settings for a queue of the test's own, a publisher of
/// raw message bytes (JMS BytesMessages over STOMP, as ActiveMQ hands Fineract's on), and Fineract
/// messages encoded by the Python `avro` package (Tests/FineractEventsTests/Fixtures), each with a
/// fresh idempotency key when asked.
enum EventBroker {
    static func settings(queue: String, url: String? = nil) throws -> FineractEventsConfiguration {
        var environment = ["FINERACT_EVENTS_URL": try url ?? TestEnvironment.activeMQStompURL(), "FINERACT_EVENTS_QUEUE": queue]
        environment["FINERACT_REGION_LEVEL"] = "1"
        guard var settings = try FineractEventsConfiguration(environment: environment) else { throw Missing() }
        settings.broker.heartBeat = StompHeartBeat(send: .seconds(5), receive: .seconds(5))
        settings.broker.connectTimeout = .seconds(60)
        settings.broker.receiptTimeout = .seconds(60)
        return settings
    }

    struct Missing: Error {}

    static func uniqueQueue(_ purpose: String) -> String { "test-events-\(purpose)-\(UInt64.random(in: 0...UInt64.max))" }

    static var logger: Logger {
        var logger = Logger(label: "events-test")
        logger.logLevel = .warning
        return logger
    }

    /// Sends each message (persistent) on one connection; the last SEND waits for its RECEIPT.
    static func publish(_ messages: [[UInt8]], to queue: String, url: String? = nil) async throws {
        try await StompConnection.connect(configuration: settings(queue: queue, url: url).broker, logger: logger) { connection in
            for (index, bytes) in messages.enumerated() {
                try await connection.send(to: "/queue/\(queue)", bytes: bytes, receipt: index == messages.count - 1)
            }
        }
    }

    /// The key the generator gives every message (scripts/avro/generate-fixtures.py).
    static let fixtureKey = Array("5b0c3f2e-7d3a-4c5e-9a59-0c6f5e1c2b11".utf8)

    /// A generated Fineract message (`name` of Fixtures/avro-fixtures.json, first release), with
    /// `key` (36 characters, as Fineract's UUIDs) in place of its idempotency key: the same length
    /// keeps the Avro encoding valid.
    static func fixture(_ name: String, key: String? = nil) throws -> [UInt8] {
        let url = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/FineractEventsTests/Fixtures/avro-fixtures.json")
        guard let object = try JSONReader(maximumDepth: 512).parse([UInt8](Data(contentsOf: url))).objectValue,
              let hex = object["singleObject"]?.arrayValue?.compactMap(\.objectValue).first(where: { $0["name"]?.stringValue == name })?["hex"]?
                .stringValue else { throw Missing() }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        guard let key else { return bytes }
        let replacement = Array(key.utf8)
        guard replacement.count == fixtureKey.count,
              let start = (0...(bytes.count - fixtureKey.count)).first(where: { Array(bytes[$0..<($0 + fixtureKey.count)]) == fixtureKey }) else {
            throw Missing()
        }
        bytes.replaceSubrange(start..<(start + fixtureKey.count), with: replacement)
        return bytes
    }

    /// A key of Fineract's shape (a UUID).
    static func newKey() -> String { UUID().uuidString.lowercased() }

    /// Makes loan 42 of the fixtures a loan we hold (as its disbursal event would): offices stored
    /// as the pull stores them, then the loan's snapshot applied.
    static func holdFixtureLoan(_ db: TestDatabase) async throws {
        try await FineractStoredOffices.replace([FineractOffice(id: 1, name: "Head Office", hierarchy: "."),
                                                 FineractOffice(id: 2, name: "North", hierarchy: ".2."),
                                                 FineractOffice(id: 3, name: "Kano", hierarchy: ".2.3.")], on: db.pool)
        let row = FineractLoanRow(id: 42, loanStatusID: 300, principalAmount: "1500.00000000", clientID: 7, clientName: "Client 7",
                                  clientOfficeID: 3, loanOfficerID: 5, officerName: "Obi, Ada", principalDisbursed: "1500.00000000",
                                  annualNominalInterestRate: "24.00000000", disbursedOnDate: "2024-02-01", expectedMaturedOnDate: "2024-03-01")
        let schedule = [FineractInstallment(id: 1, installment: 1, dueDate: "2024-03-01", principalAmount: "1500.00000000",
                                            interestAmount: "250.00000000", feeChargesAmount: nil)]
        let handler = FineractEventHandler(pool: db.pool, reader: try FineractEventReader.fineract(),
                                           offices: FineractOfficeCache(pool: db.pool, regionLevel: 1), channel: .direct)
        let message = FineractEventMessage(id: 1, type: "LoanDisbursalBusinessEvent", dataschema: FineractEventSchemas.loanAccount,
                                           idempotencyKey: newKey(), createdAt: "", businessDate: "2024-02-01", tenantID: "default",
                                           events: [.success(FineractEvent(type: "LoanDisbursalBusinessEvent", dataschema: FineractEventSchemas.loanAccount,
                                                                           content: .loan(row, schedule: schedule)))])
        _ = try await handler.apply(message)
    }
}
