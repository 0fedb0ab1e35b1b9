import Synchronization

/// The shared state of a `StompConsumer`: the stop request, the waiters it wakes, and the counts.
final class StompConsumerControl: Sendable {
    private struct State {
        var stopped = false
        var stopHandlers: [Int: @Sendable () -> Void] = [:]
        var nextToken = 0
        var summary = StompConsumerSummary()
        var consecutiveFailures = 0
    }

    private let state = Mutex(State())

    /// Whether `stop()` was called.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// The counts so far.
    var summary: StompConsumerSummary { state.withLock { $0.summary } }

    /// Requests a stop and wakes every registered waiter.
    func stop() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            state.stopped = true
            defer { state.stopHandlers = [:] }
            return Array(state.stopHandlers.values)
        }
        for handler in handlers { handler() }
    }

    /// Registers `handler` to run on `stop()`; nil (and not registered) when already stopped.
    func onStop(_ handler: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { state in
            guard !state.stopped else { return nil }
            state.nextToken += 1
            state.stopHandlers[state.nextToken] = handler
            return state.nextToken
        }
    }

    /// Unregisters a handler from `onStop(_:)`.
    func removeStopHandler(_ token: Int) {
        _ = state.withLock { $0.stopHandlers.removeValue(forKey: token) }
    }

    /// Sleeps for `duration`, or less when stopped or cancelled.
    func sleep(for duration: Duration) async {
        let (wakeUp, continuation) = AsyncStream<Void>.makeStream()
        guard let token = onStop({ continuation.finish() }) else { return }
        defer { removeStopHandler(token) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { for await _ in wakeUp {} }
            await group.next()
            group.cancelAll()
        }
    }

    /// Counts a failed connection or session; returns the consecutive failures.
    func recordFailure() -> Int {
        state.withLock { state in
            state.summary.failures += 1
            state.consecutiveFailures += 1
            return state.consecutiveFailures
        }
    }

    func recordConnection() { state.withLock { $0.summary.connections += 1 } }
    func recordReceived(_ count: Int = 1) { state.withLock { $0.summary.received += count } }
    func recordHandlerFailure() { state.withLock { $0.summary.handlerFailures += 1 } }

    /// Counts acknowledged messages: progress, so the backoff starts over.
    func recordAcknowledged(_ count: Int = 1) {
        state.withLock { state in
            state.summary.acknowledged += count
            state.consecutiveFailures = 0
        }
    }

    /// Records why the consumer ended and returns the final summary.
    func finish(_ ending: StompConsumerSummary.Ending) -> StompConsumerSummary {
        state.withLock { state in
            state.summary.ending = ending
            return state.summary
        }
    }
}
