import Foundation
import Prometheus

extension DaemonMetrics {
    /// The series of the consumer of Fineract's events (docs/fineract-events.md), all
    /// `analytics_daemon_fineract_events_*`: `total{outcome}` (`consumed`, `applied`, `duplicate`,
    /// `ignored`, `parked`; ignored and parked count events, the others messages) and
    /// `last_message_timestamp_seconds`. Made when the daemon runs a consumer.
    final class FineractEventSeries: Sendable {
        static let outcomes = ["consumed", "applied", "duplicate", "ignored", "parked"]
        private let counters: [String: Counter]
        private let lastMessage: Gauge

        init(registry: PrometheusCollectorRegistry) {
            let descriptor = MetricNameDescriptor(namespace: "analytics_daemon", metricName: "fineract_events", unitName: "total",
                                                  helpText: "Fineract messages consumed, applied and duplicate; events ignored and parked")
            var counters: [String: Counter] = [:]
            for outcome in Self.outcomes { counters[outcome] = registry.makeCounter(descriptor: descriptor, labels: [("outcome", outcome)]) }
            self.counters = counters
            lastMessage = registry.makeGauge(descriptor: MetricNameDescriptor(
                namespace: "analytics_daemon", metricName: "fineract_events_last_message_timestamp", unitName: "seconds",
                helpText: "Unix time the consumer last handled a Fineract message (0 before the first)"))
        }

        /// One handled batch of messages.
        func record(_ outcome: FineractEventOutcome) {
            counters["consumed"]?.increment(by: Int64(outcome.messages))
            if outcome.applied > 0 { counters["applied"]?.increment(by: Int64(outcome.applied)) }
            if outcome.duplicates > 0 { counters["duplicate"]?.increment(by: Int64(outcome.duplicates)) }
            let ignored = outcome.ignored.values.reduce(0, +)
            if ignored > 0 { counters["ignored"]?.increment(by: Int64(ignored)) }
            if outcome.parked > 0 { counters["parked"]?.increment(by: Int64(outcome.parked)) }
            lastMessage.set(Date().timeIntervalSince1970)
        }
    }

    /// The consumer's series on this daemon's registry.
    func makeFineractEventSeries() -> FineractEventSeries { FineractEventSeries(registry: registry) }
}
