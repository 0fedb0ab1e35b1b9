import Synchronization

/// Concurrent loads of one key share one run of the work, like `SingleFlight`, but a caller only
/// ever takes the result of a run that *started after it asked*: what it gets is at least as new as
/// anything committed before its request, with no version to tell old from new (no cache, or the
/// cache's versions cannot be read).
///
/// While a run is in flight, callers queue for the next one; when the run ends, the first of them
/// leads the next run for all of them (and whoever arrives meanwhile queues for the one after).
/// So under a stream of readers at most one run per key is in flight, and each reader waits for at
/// most the end of the current run and one whole run. A follower never fails because its leader
/// did: it then runs `work` itself.
final class FreshFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// What a queued caller is told when its turn comes.
    private enum Turn: Sendable {
        /// The run it waited for produced this value.
        case value(Value)
        /// Lead the next run, for these followers.
        case lead([CheckedContinuation<Turn, Never>])
        /// The run it waited for failed (or nothing was running any more): run `work` alone.
        case alone
    }

    /// Per key in flight: the callers queued for the next run.
    private let queues = Mutex<[Key: [CheckedContinuation<Turn, Never>]]>([:])

    init() {}

    /// A value of `key` from a run of `work` that started after this call.
    func value(_ key: Key, work: () async throws -> Value) async throws -> Value {
        let leads = queues.withLock { queues in
            guard queues[key] == nil else { return false }
            queues[key] = []
            return true
        }
        if leads { return try await lead(key, followers: [], work: work) }
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let queued = queues.withLock { queues in
                guard queues[key] != nil else { return false }
                queues[key, default: []].append(continuation)
                return true
            }
            if !queued { continuation.resume(returning: .alone) }
        }
        switch turn {
        case .value(let value): return value
        case .lead(let followers): return try await lead(key, followers: followers, work: work)
        case .alone: return try await work()
        }
    }

    /// How many callers are queued for the next run of `key` (tests).
    func queued(for key: Key) -> Int { queues.withLock { $0[key]?.count ?? 0 } }

    /// Runs `work` for `followers` (queued before it started), then hands the key to the next queue.
    private func lead(_ key: Key, followers: [CheckedContinuation<Turn, Never>],
                      work: () async throws -> Value) async throws -> Value {
        let result: Result<Value, any Error>
        do {
            result = .success(try await work())
        } catch {
            result = .failure(error)
        }
        for follower in followers {
            switch result {
            case .success(let value): follower.resume(returning: .value(value))
            case .failure: follower.resume(returning: .alone)
            }
        }
        let next = queues.withLock { queues -> [CheckedContinuation<Turn, Never>] in
            let next = queues[key] ?? []
            if next.isEmpty { queues[key] = nil } else { queues[key] = [] }
            return next
        }
        if let first = next.first { first.resume(returning: .lead(Array(next.dropFirst()))) }
        return try result.get()
    }
}
