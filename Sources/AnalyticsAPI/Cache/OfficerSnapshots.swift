import AnalyticsCore
import Synchronization

/// The officer snapshots of this process (`OfficerSnapshot`): per calculation date and cache version
/// of the `book` tag, one snapshot, built once and shared by every officer list page of that date.
///
/// Fresh by construction: a snapshot is only ever asked for at the `book` version read from Redis
/// *after* the page's own version was read (`MetricsCache.currentVersion(of:)`), and every write of
/// officer rows bumps `book` first in its invalidation pipeline; so the snapshot a page is cut from
/// holds every write the page's version says happened. When the version moves, the next load
/// builds the new snapshot (one query for all its missing dates); loads that arrive meanwhile wait
/// for that build (`SingleFlight`). Without a version (no Redis, or Redis not answering) nothing is
/// kept: a load takes a build that started after it asked, shared with the loads queued with it
/// (`FreshFlight`), so it never sees rows older than its request.
///
/// Memory: one snapshot per date, at most `capacity` dates, the least recently used dropped first.
/// The snapshot built last for a date replaces the one held (an invalidation moved the version, so
/// no load asks for the older one again; a load that read the older version just before the move
/// replaces the newer one, and the next load builds that again). One snapshot holds every officer
/// row of a date, each field rendered as JSON, in one buffer (no spare capacity per row), plus 4
/// bytes per officer for each sort order asked for. A date range wider than the capacity is still
/// answered (its snapshots are held for that load) but rebuilt by the next load.
final class OfficerSnapshots: Sendable {
    /// The default number of dates held.
    static let defaultCapacity = 8

    private struct Flight: Hashable, Sendable {
        var dates: [CalendarDate]
        var version: KeyVersion
    }

    private struct Held {
        var snapshots: [CalendarDate: (version: KeyVersion, snapshot: OfficerSnapshot, used: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    /// How many dates (one snapshot each) are held at most.
    let capacity: Int
    private let held = Mutex(Held())
    private let flights = SingleFlight<Flight, [CalendarDate: OfficerSnapshot]>()
    private let fresh = FreshFlight<[CalendarDate], [CalendarDate: OfficerSnapshot]>()

    init(capacity: Int = OfficerSnapshots.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// The snapshots of `dates` at `version` (nil: no version known), each from the held ones or
    /// from `build`, which is given the dates it must read and returns a snapshot for each.
    func snapshots(of dates: [CalendarDate], version: KeyVersion?,
                   build: @Sendable ([CalendarDate]) async throws -> [CalendarDate: OfficerSnapshot]) async throws -> [OfficerSnapshot] {
        guard !dates.isEmpty else { return [] }
        let wanted = Array(Set(dates)).sorted()
        guard let version else {
            let built = try await fresh.value(wanted) { try await build(wanted) }
            return try Self.pick(wanted, from: built)
        }
        var found = taken(wanted, version: version)
        let missing = wanted.filter { found[$0] == nil }
        if !missing.isEmpty {
            let built = try await flights.value(Flight(dates: missing, version: version)) {
                let built = try await build(missing)
                store(built, version: version)
                return built
            }
            found.merge(built) { held, _ in held }
        }
        return try Self.pick(wanted, from: found)
    }

    /// Drops every held snapshot: the cache's generation or liveness changed (`GenerationTracker`'s
    /// `onChange`, as for the other in-process layers). After a Redis restart the counters start
    /// again from 0, so a snapshot of before must not meet its version number again.
    func removeAll() {
        held.withLock { $0.snapshots.removeAll() }
    }

    /// How many snapshots (dates) are held (tests).
    var count: Int { held.withLock { $0.snapshots.count } }

    /// The held snapshots of `dates` at `version`, marked as used.
    private func taken(_ dates: [CalendarDate], version: KeyVersion) -> [CalendarDate: OfficerSnapshot] {
        held.withLock { held in
            var found: [CalendarDate: OfficerSnapshot] = [:]
            for date in dates {
                guard let entry = held.snapshots[date], entry.version == version else { continue }
                held.clock &+= 1
                held.snapshots[date]?.used = held.clock
                found[date] = entry.snapshot
            }
            return found
        }
    }

    /// Holds `built` at `version` in place of each date's snapshot, dropping the least recently used
    /// dates beyond the capacity.
    private func store(_ built: [CalendarDate: OfficerSnapshot], version: KeyVersion) {
        held.withLock { held in
            for (date, snapshot) in built {
                held.clock &+= 1
                held.snapshots[date] = (version, snapshot, held.clock)
            }
            while held.snapshots.count > capacity,
                  let oldest = held.snapshots.min(by: { $0.value.used < $1.value.used })?.key {
                held.snapshots[oldest] = nil
            }
        }
    }

    /// The snapshots of `dates` in `found`; a date the build did not return is a bug, not an empty list.
    private static func pick(_ dates: [CalendarDate], from found: [CalendarDate: OfficerSnapshot]) throws(APIError) -> [OfficerSnapshot] {
        var snapshots: [OfficerSnapshot] = []
        for date in dates {
            guard let snapshot = found[date] else { throw APIError(.internalError, "the officer snapshot of \(date) was not built") }
            snapshots.append(snapshot)
        }
        return snapshots
    }
}
