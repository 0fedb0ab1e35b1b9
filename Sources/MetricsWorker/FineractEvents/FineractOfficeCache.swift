import AnalyticsCore
import AnalyticsStore
import Foundation
import Synchronization

/// The offices the pull stored (`fineract_offices`), placed at `FINERACT_REGION_LEVEL`, read again
/// at most every `maxAge` (the pull rewrites them every run; offices change rarely).
final class FineractOfficeCache: Sendable {
    private let pool: PostgresPool
    private let regionLevel: Int
    private let maxAge: Duration
    private let cached = Mutex<(offices: FineractOffices, read: ContinuousClock.Instant)?>(nil)

    init(pool: PostgresPool, regionLevel: Int, maxAge: Duration = .seconds(30)) {
        self.pool = pool
        self.regionLevel = regionLevel
        self.maxAge = maxAge
    }

    func current() async throws -> FineractOffices {
        let now = ContinuousClock.now
        if let hit = cached.withLock({ $0 }), now - hit.read < maxAge { return hit.offices }
        let offices = FineractOffices(try await FineractStoredOffices.read(on: pool), regionLevel: regionLevel)
        cached.withLock { $0 = (offices, now) }
        return offices
    }
}
