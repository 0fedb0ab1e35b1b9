// fineract-events-bench: plays Fineract's external-event producer for scripts/bench-events.sh.
//
//   fineract-events-bench publish --loans-file F --repayments N --date D --first-transaction-id T
//   fineract-events-bench serve   --loans-file F --date D --first-transaction-id T   (lines on stdin)
//   fineract-events-bench drain   --expect N
//
// The broker and queue come from FINERACT_EVENTS_URL and FINERACT_EVENTS_QUEUE (default
// fineract-events), the settings the consumer reads. Messages are built by FineractMessageBuilder
// (FineractEvents) and sent by StompPublisher (Stomp), as Fineract's JMS producer sends them:
// persistent BytesMessages holding a single-object MessageV1.
import ArgumentParser

@main
struct FineractEventsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fineract-events-bench",
        abstract: "Publishes Fineract repayment events to ActiveMQ for the events benchmark, and checks what a queue holds.",
        subcommands: [PublishCommand.self, ServeCommand.self, DrainCommand.self]
    )
}
