import AnalyticsCore
import Foundation

/// When each schedule entry fires next. Pure state: the schedule service asks it what is due and
/// tells it what ran.
///
/// Rules: an entry is due when its next fire time has come; due entries run one at a time in the
/// schedule's order; after a run the entry's next fire time is the first one after the run ended,
/// so fire times that passed while it ran are not made up (a run is never started twice for
/// them, nor queued behind itself). Another entry that came due meanwhile still runs, once.
struct JobPlan: Sendable {
    struct Entry: Sendable {
        let job: ScheduledJob
        /// The next fire time; nil when the expression never fires again.
        var next: Date?
    }

    private(set) var entries: [Entry]
    let zone: TimeZone

    /// Plans every entry's first fire time after `now`.
    init(jobs: [ScheduledJob], now: Date, zone: TimeZone) {
        self.zone = zone
        entries = jobs.map { Entry(job: $0, next: $0.cron.nextFire(after: now, in: zone)) }
    }

    /// The entries due at `now`, in schedule order.
    func due(at now: Date) -> [Int] {
        entries.indices.filter { entries[$0].next.map { $0 <= now } ?? false }
    }

    /// The earliest next fire time of any entry.
    var nextWake: Date? {
        entries.compactMap(\.next).min()
    }

    /// Makes entry `index` due at once (a fire time missed while no daemon held the lease).
    mutating func makeDue(_ index: Int, at now: Date) {
        entries[index].next = now
    }

    /// Records that entry `index` ran and ended at `finished`: its next fire time is the first after that.
    mutating func ran(_ index: Int, finishedAt finished: Date) {
        entries[index].next = entries[index].job.cron.nextFire(after: finished, in: zone)
    }
}
