/// Waiting for a condition instead of sleeping for a guessed time: suites run in parallel on two
/// cores, so only the condition itself says when something happened.
public enum Waiting {
    /// Polls `condition` until it holds; throws naming `what` when it still does not after `timeout`
    /// (generous: a deadline for a hung test, not a performance budget).
    public static func until(_ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20),
                             _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                throw TestEnvironmentError(message: "timed out after \(timeout) waiting until \(what)")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Runs `body` and returns its result, or throws naming `what` if it has not returned after
    /// `timeout` (then `body` is cancelled). For "this call returns" checks, not for timing.
    public static func returns<R: Sendable>(_ what: String, within timeout: Duration = .seconds(30),
                                            _ body: @escaping @Sendable () async throws -> R) async throws -> R {
        try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw TestEnvironmentError(message: "\(what) did not return within \(timeout)")
            }
            return value
        }
    }
}
