import ServiceLifecycle

// PLACEHOLDER, replaced by the lead's ChangeFollower (LISTEN analytics_changes, incremental
// recomputation) at merge: the lead's file wins. It only waits for shutdown, so the daemon's
// wiring (`--no-follow`, the service order) can be built and tested before it lands.

/// Follows committed ingests (`live_changes`) and applies them incrementally.
struct ChangeFollower: Service {
    let context: DaemonContext

    func run() async throws {
        try? await gracefulShutdown()
    }
}
