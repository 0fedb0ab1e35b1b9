import AnalyticsCore
import AnalyticsStore
import Foundation
import Synchronization

/// The offices the pull stored (`fineract_offices`), placed at `FINERACT_REGION_LEVEL`, read again
/// at most every `maxAge` (the pull rewrites them every run; offices change rarely), and sooner
/// when a batch names an office that is not among them (the pull may have brought it since), at
/// most every `missRetry`.
final class FineractOfficeCache: Sendable {
    private let pool: PostgresPool
    private let regionLevel: Int
    private let maxAge: Duration
    private let missRetry: Duration
    private let cached = Mutex<(offices: FineractOffices, read: ContinuousClock.Instant)?>(nil)

    init(pool: PostgresPool, regionLevel: Int, maxAge: Duration = .seconds(30), missRetry: Duration = .seconds(1)) {
        self.pool = pool
        self.regionLevel = regionLevel
        self.maxAge = maxAge
        self.missRetry = missRetry
    }

    /// The offices, with every one of `ids` when the database has it.
    func current(naming ids: Set<Int64> = []) async throws -> FineractOffices {
        let now = ContinuousClock.now
        if let hit = cached.withLock({ $0 }) {
            let age = now - hit.read
            let missing = ids.contains { hit.offices.office($0) == nil }
            if age < maxAge, !missing || age < missRetry { return hit.offices }
        }
        let offices = FineractOffices(try await FineractStoredOffices.read(on: pool), regionLevel: regionLevel)
        cached.withLock { $0 = (offices, now) }
        return offices
    }
}
