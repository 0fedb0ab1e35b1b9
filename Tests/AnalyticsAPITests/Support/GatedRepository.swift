@testable import AnalyticsAPI
import AnalyticsCore
import Synchronization

/// Holds one call until the test lets it go: `arm()`, then the next `pass()` waits for `release()`.
final class LoadGate: Sendable {
    private struct State {
        var armed = false
        var entered = false
        var released = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// The next `pass()` will wait.
    func arm() {
        state.withLock { $0.armed = true }
    }

    /// True once the armed call is waiting (or was let go).
    var entered: Bool { state.withLock { $0.entered } }

    /// Returns at once unless armed; the armed call waits for `release()`.
    func pass() async {
        let hold = state.withLock { s -> Bool in
            guard s.armed else { return false }
            s.armed = false
            s.entered = true
            return true
        }
        guard hold else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.released { return true }
                s.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Lets the held call go (or the next one, if none waits yet).
    func release() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.released = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}

/// The real repository, with officer-list reads that can be held by a `LoadGate` after they read
/// their rows: a read that loaded the rows of before a change and returns them after it.
struct GatedRepository: MetricsRepository {
    let base: any MetricsRepository
    let gate: LoadGate

    func consistent<R: Sendable>(_ body: () async throws -> R) async throws -> R { try await base.consistent(body) }
    func latestCompleteDate() async throws -> Freshness? { try await base.latestCompleteDate() }
    func completeDate(_ date: CalendarDate) async throws -> Freshness? { try await base.completeDate(date) }
    func completeDates(from: CalendarDate, to: CalendarDate) async throws -> [Freshness] {
        try await base.completeDates(from: from, to: to)
    }
    func officers(_ query: OfficerListQuery) async throws -> RenderedPage {
        let page = try await base.officers(query)
        await gate.pass()
        return page
    }
    func officerDetail(id: String, date: CalendarDate, scope: AccessScope, maskPhones: Bool) async throws -> OfficerDetail? {
        try await base.officerDetail(id: id, date: date, scope: scope, maskPhones: maskPhones)
    }
    func branches(_ query: BranchQuery) async throws -> RenderedPage { try await base.branches(query) }
    func loanStatesFreshness() async throws -> Freshness? { try await base.loanStatesFreshness() }
    func drilldown(_ query: DrilldownQuery) async throws -> RenderedPage { try await base.drilldown(query) }
    func filterOptions(scope: AccessScope) async throws -> [UInt8] { try await base.filterOptions(scope: scope) }
    func lastCompletedCalculation() async throws -> Double? { try await base.lastCompletedCalculation() }
}
