@testable import AnalyticsAPI
import Synchronization
import AnalyticsTestSupport
import Testing

/// Single-flight loads: readers of one entry at one version that arrive while it loads wait for
/// that load; a failed or cancelled leader leaves each follower to load for itself.
@Suite("Load coalescer")
struct LoadCoalescerTests {
    /// A load that waits until `open()`, counting how often it ran.
    final class GatedLoad: Sendable {
        private let state = Mutex<(runs: Int, opened: Bool)>((0, false))
        let bytes: [UInt8]
        let fails: Bool

        init(bytes: [UInt8], fails: Bool = false) {
            self.bytes = bytes
            self.fails = fails
        }

        var runs: Int { state.withLock { $0.runs } }
        func open() { state.withLock { $0.opened = true } }

        func run() async throws -> [UInt8] {
            let first = state.withLock { s in
                s.runs += 1
                return s.runs == 1
            }
            // Only the first run waits for the gate; a follower's own load answers at once.
            if first { try await Waiting.until("the gate opens", every: .milliseconds(2)) { state.withLock { $0.opened } } }
            if fails && first { throw LoadFailed() }
            return bytes
        }
    }

    struct LoadFailed: Error {}

    final class Count: Sendable {
        private let value = Mutex(0)
        func add() { value.withLock { $0 += 1 } }
        var current: Int { value.withLock { $0 } }
    }

    @Test("ten readers arriving during a load share it: one load, the same bytes, nine counted as shared")
    func sharesOneLoad() async throws {
        let flights = LoadCoalescer<String>()
        let load = GatedLoad(bytes: Array("page".utf8))
        let shared = Count()
        let results = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<10 {
                group.addTask {
                    try await flights.value("list@7", shared: { if $0 { shared.add() } }) { try await load.run() }
                }
            }
            try await Waiting.until("nine readers wait for the first") { flights.followers(of: "list@7") == 9 }
            load.open()
            var all: [[UInt8]] = []
            for try await bytes in group { all.append(bytes) }
            return all
        }
        #expect(results.count == 10)
        #expect(results.allSatisfy { $0 == Array("page".utf8) })
        #expect(load.runs == 1)
        #expect(shared.current == 9)
        #expect(flights.inFlight == 0)
    }

    @Test("the leader's load fails: it gets its error, each follower loads for itself and gets bytes")
    func failedLeader() async throws {
        let flights = LoadCoalescer<String>()
        let load = GatedLoad(bytes: Array("page".utf8), fails: true)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    _ = try await flights.value("list@7") { try await load.run() }
                    return true
                } catch is LoadFailed {
                    return false
                }
            }
            try await Waiting.until("the leader runs") { load.runs == 1 }
            for _ in 0..<3 {
                group.addTask { try await flights.value("list@7") { try await load.run() } == Array("page".utf8) }
            }
            try await Waiting.until("three readers wait") { flights.followers(of: "list@7") == 3 }
            load.open()
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(outcomes.filter { $0 }.count == 3 && outcomes.count == 4)
        #expect(load.runs == 4)
        #expect(flights.inFlight == 0)
    }

    @Test("another key (a newer version) never waits for a load in flight")
    func otherKeysDoNotWait() async throws {
        let flights = LoadCoalescer<String>()
        let slow = GatedLoad(bytes: Array("old".utf8))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await flights.value("list@7") { try await slow.run() } }
            try await Waiting.until("the old version loads") { slow.runs == 1 }
            let newer = try await flights.value("list@8") { Array("new".utf8) }
            #expect(newer == Array("new".utf8))
            #expect(flights.inFlight == 1)
            slow.open()
            try await group.waitForAll()
        }
        #expect(flights.inFlight == 0)
    }
}
