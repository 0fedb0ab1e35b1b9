import Foundation
import Synchronization

/// The consumer's running totals: its summary, progress logs and the daemon's /metrics read them.
final class FineractEventStats: Sendable {
    struct Totals: Sendable, Equatable {
        var consumed = 0
        var applied = 0
        var duplicates = 0
        var ignored: [String: Int] = [:]
        var parked = 0
        var accepted = 0
        var rejected = 0
        /// When the last message was handled (nil before the first).
        var lastMessageAt: Date?

        var ignoredTotal: Int { ignored.values.reduce(0, +) }

        /// `consumed N, applied N, duplicates N, ignored N (type ×n, ...), parked N; ingest: accepted N, rejected N`.
        var line: String {
            var ignoredText = "ignored \(ignoredTotal)"
            if !ignored.isEmpty {
                ignoredText += " (" + ignored.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ") + ")"
            }
            return "consume-fineract-events: consumed \(consumed), applied \(applied), duplicates \(duplicates), \(ignoredText), "
                + "parked \(parked); records accepted \(accepted), rejected \(rejected)"
        }
    }

    private let state = Mutex(Totals())
    private let observer: (@Sendable (FineractEventOutcome) -> Void)?

    /// Totals that also pass each outcome to `observer` (the daemon's metrics).
    init(observer: (@Sendable (FineractEventOutcome) -> Void)? = nil) {
        self.observer = observer
    }

    func record(_ outcome: FineractEventOutcome) {
        state.withLock {
            $0.consumed += outcome.messages
            $0.applied += outcome.applied
            $0.duplicates += outcome.duplicates
            $0.ignored.merge(outcome.ignored, uniquingKeysWith: +)
            $0.parked += outcome.parked
            $0.accepted += outcome.accepted
            $0.rejected += outcome.rejected
            $0.lastMessageAt = Date()
        }
        observer?(outcome)
    }

    var totals: Totals { state.withLock { $0 } }
}
