import Synchronization

/// The scheduling lease: at most one daemon runs the schedule at a time.
protocol SchedulingLease: Sendable {
    /// Tries to take the lease. When another process holds it, returns false at once. Otherwise
    /// runs `body` with a token that says whether the lease is still held (it is lost when its
    /// connection dies), gives the lease up when `body` returns or throws, and returns true.
    func whileHeld(_ body: (LeaseToken) async throws -> Void) async throws -> Bool
}

/// Whether a lease taken is still held. Thread-safe.
final class LeaseToken: Sendable {
    private let held = Atomic<Bool>(true)

    /// False once the lease has been lost.
    var isHeld: Bool { held.load(ordering: .acquiring) }

    /// Records that the lease is lost.
    func lose() { held.store(false, ordering: .releasing) }
}
