import AnalyticsCore
import ArgumentParser
import FineractEvents
import Foundation
import Stomp

/// Publishes one repayment event per line read on stdin (`SEQ<TAB>LOAN_ID<TAB>PRINCIPAL<TAB>INTEREST`,
/// amounts as decimals) and answers `ok SEQ` once the broker confirmed it (or `error SEQ reason`):
/// the events sink of bench/live/writers.py.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Publish one repayment event per stdin line; answer 'ok SEQ' once the broker has it.")

    @Option(help: "Lines loan_id<TAB>office_id<TAB>office_name.") var loansFile: String
    @Option(help: "The repayments' date and the business date (YYYY-MM-DD).") var date: String
    @Option(help: "The first Fineract transaction id (above the tenant's own).") var firstTransactionID: Int64
    @Option(help: "The first event (MessageV1) id.") var firstEventID: Int32 = 1_000_000
    @Option(help: "The Fineract release whose schemas are written.") var release: String = "1.10.1"

    func run() async throws {
        guard let day = CalendarDate(iso: date) else { throw ValidationError("--date must be YYYY-MM-DD") }
        let broker = try BrokerSettings(environment: ProcessInfo.processInfo.environment)
        let loans = try BenchLoan.load(loansFile)
        let events = RepaymentEvents(builder: try FineractMessageBuilder(release: release), date: day,
                                     firstTransactionID: firstTransactionID, firstEventID: firstEventID)
        let publisher = StompPublisher(configuration: broker.configuration, queue: broker.queue, logger: BrokerSettings.logger)
        let lines = StandardInputLines.start()
        try await publisher.withSession { session in
            for await line in lines {
                let parts = line.split(separator: "\t")
                guard parts.count == 4, let sequence = Int(parts[0]), let loanID = Int64(parts[1]), let loan = loans[loanID],
                      let principal = Money(exactly: parts[2]), let interest = Money(exactly: parts[3]) else {
                    Self.answer("error \(line.split(separator: "\t").first ?? "?") unreadable line or unknown loan")
                    continue
                }
                do {
                    try await session.send(try events.message(sequence: sequence, loan: loan, principal: principal, interest: interest))
                    Self.answer("ok \(sequence)")
                } catch {
                    Self.answer("error \(sequence) \(error)")
                    throw error
                }
            }
        }
    }

    static func answer(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

/// The lines of standard input, read on a thread of their own (a blocking read must not hold a
/// thread of the cooperative pool).
enum StandardInputLines {
    static func start() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        let thread = Thread {
            while let line = readLine(strippingNewline: true) { continuation.yield(line) }
            continuation.finish()
        }
        thread.start()
        return stream
    }
}
