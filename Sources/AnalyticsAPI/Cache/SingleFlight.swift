// Hand-written: a single-flight map is a few lines over `Mutex` and checked continuations, and no
// package available here offers one.
import Synchronization

/// Concurrent loads of one key share one run of the work ("single flight"): cache entries at one
/// version (`LoadCoalescer`, bytes) and officer snapshots at one version (`OfficerSnapshots`).
///
/// When an invalidation moves a hot entry's version (the daemon re-ranks the book about once a
/// second under a stream of repayments), every reader that asks for it before it is stored again
/// would otherwise run the same query: a hundred dashboards reading the first list page would each
/// load it. Here the first caller for a key and version (the leader) runs `work`; callers that
/// arrive while it runs wait for its bytes. A follower never fails because the leader did (its
/// load failed, or its request was cancelled): it then runs `work` itself, as it would have without
/// the coalescer. Keys hold the version, so a read at a newer version never waits for an older load.
final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// What a follower is told when the leader finishes.
    private enum Outcome: Sendable {
        case value(Value)
        case failed
    }

    /// The keys being loaded, each with its waiting followers.
    private let flights = Mutex<[Key: [CheckedContinuation<Outcome, Never>]]>([:])

    init() {}

    /// The value of `key`: from the load in flight for it, or from `work` (which the caller then
    /// runs for everyone who asks meanwhile). `shared` is told whether the value came from another
    /// caller's load.
    func value(_ key: Key, shared: (Bool) -> Void = { _ in },
               work: () async throws -> Value) async throws -> Value {
        let leads = flights.withLock { flights in
            guard flights[key] == nil else { return false }
            flights[key] = []
            return true
        }
        if !leads {
            let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let joined = flights.withLock { flights in
                    guard flights[key] != nil else { return false }
                    flights[key, default: []].append(continuation)
                    return true
                }
                // The leader finished between the two locks: its result is stored by now (or it failed).
                if !joined { continuation.resume(returning: .failed) }
            }
            if case .value(let value) = outcome {
                shared(true)
                return value
            }
            shared(false)
            return try await work()
        }
        shared(false)
        do {
            let value = try await work()
            finish(key, .value(value))
            return value
        } catch {
            finish(key, .failed)
            throw error
        }
    }

    /// How many keys are being loaded (tests).
    var inFlight: Int { flights.withLock { $0.count } }

    /// How many callers wait for the load of `key` (tests).
    func followers(of key: Key) -> Int { flights.withLock { $0[key]?.count ?? 0 } }

    private func finish(_ key: Key, _ outcome: Outcome) {
        let followers = flights.withLock { $0.removeValue(forKey: key) } ?? []
        for follower in followers { follower.resume(returning: outcome) }
    }
}

/// Concurrent reads of one cache entry at one version share one load of its bytes.
typealias LoadCoalescer<Key: Hashable & Sendable> = SingleFlight<Key, [UInt8]>
