import AnalyticsCore
import ArgumentParser
import FineractEvents
import Foundation
import Stomp

/// Publishes N repayment events over the loans of a file, round-robin, and prints the figures.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish N repayment events (built first, then sent in batches with a RECEIPT each).")

    @Option(help: "Lines loan_id<TAB>office_id<TAB>office_name.") var loansFile: String
    @Option(help: "How many repayment events.") var repayments: Int = 50_000
    @Option(help: "The repayments' date and the business date (YYYY-MM-DD).") var date: String
    @Option(help: "The first Fineract transaction id (above the tenant's own).") var firstTransactionID: Int64
    @Option(help: "The first event (MessageV1) id.") var firstEventID: Int32 = 1
    @Option(help: "The Fineract release whose schemas are written.") var release: String = "1.10.1"
    @Option(help: "Messages per RECEIPT.") var batchSize: Int = 500

    func run() async throws {
        guard let day = CalendarDate(iso: date) else { throw ValidationError("--date must be YYYY-MM-DD") }
        let broker = try BrokerSettings(environment: ProcessInfo.processInfo.environment)
        let loans = try BenchLoan.load(loansFile).values.sorted { $0.id < $1.id }
        guard !loans.isEmpty else { throw ValidationError("no loans in \(loansFile)") }
        let events = RepaymentEvents(builder: try FineractMessageBuilder(release: release), date: day,
                                     firstTransactionID: firstTransactionID, firstEventID: firstEventID)
        let clock = ContinuousClock()
        var random = SplitMix64(seed: 16)
        let buildStart = clock.now
        var messages: [[UInt8]] = []
        messages.reserveCapacity(repayments)
        for sequence in 0..<repayments {
            let principal = Money(minorUnits: Int64.random(in: 500...20_000, using: &random))
            let interest = Money(minorUnits: Int64.random(in: 100...5_000, using: &random))
            messages.append(try events.message(sequence: sequence, loan: loans[sequence % loans.count], principal: principal, interest: interest))
        }
        let built = clock.now - buildStart
        let bytes = messages.reduce(0) { $0 + $1.count }
        let publisher = StompPublisher(configuration: broker.configuration, queue: broker.queue, batchSize: batchSize,
                                       logger: BrokerSettings.logger)
        let sendStart = clock.now
        let sent = try await publisher.publish(messages)
        let sending = clock.now - sendStart
        let seconds = Double(sending.components.seconds) + Double(sending.components.attoseconds) / 1e18
        let buildSeconds = Double(built.components.seconds) + Double(built.components.attoseconds) / 1e18
        print(String(format: "published %d repayment events (%d loans, Fineract %@ schemas, %.0f bytes each on average) in %.2f s: %.0f events/s; built in %.2f s (%.0f/s)",
                     sent, loans.count, release, Double(bytes) / Double(max(sent, 1)), seconds, Double(sent) / seconds,
                     buildSeconds, Double(sent) / buildSeconds))
    }
}
