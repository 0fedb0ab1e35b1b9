@testable import AnalyticsAPI
import AnalyticsStore
import Testing

/// The registry of recently read entries that refresh ahead loads again when they move.
@Suite("Hot keys")
struct HotKeysTests {
    static func key(_ id: String, _ tags: [CacheTag]) -> CacheKey {
        CacheKey(.officerList, role: .viewer, scope: .unrestricted, parameters: [("officer_id", id)], tags: tags)
    }

    static func drain(_ hot: HotKeys) -> [CacheKey] {
        var keys: [CacheKey] = []
        while let due = hot.takeDue() { keys.append(due.key) }
        return keys
    }

    @Test("a moved tag makes due the read entries showing it, once each, in the order they moved; a generation moves all")
    func movedTags() async throws {
        let hot = HotKeys(capacity: 10, window: .seconds(60))
        let x = Self.key("X", [.officer("X")])
        let book = Self.key("all", [.book])
        let lagos = Self.key("lagos", [.branch("Lagos"), .book])
        for key in [x, book, lagos] { hot.read(key) { [] } }
        #expect(Self.drain(hot).isEmpty)

        hot.moved([.officer("Y")])
        #expect(Self.drain(hot).isEmpty)
        hot.moved([.officer("X")])
        hot.moved([.officer("X"), .branch("Lagos")])
        #expect(Self.drain(hot) == [x, lagos])
        hot.moved([.book])
        #expect(Set(Self.drain(hot)) == [book, lagos])
        hot.moved(nil)
        #expect(Set(Self.drain(hot)) == [x, book, lagos])
        // One wake-up is kept however many moves came before it was taken.
        var wakeups = hot.wakeups.makeAsyncIterator()
        #expect(await wakeups.next() != nil)
    }

    @Test("the latest load of a key is the one kept; only reads within the window count; the oldest read goes first when full")
    func boundedAndRecent() async throws {
        let hot = HotKeys(capacity: 3, window: .milliseconds(300))
        let keys = (0..<4).map { Self.key("K\($0)", [.book]) }
        hot.read(keys[0]) { [0] }
        hot.read(keys[0]) { [1] }
        try await Task.sleep(for: .milliseconds(20))
        for key in keys[1...2] { hot.read(key) { [2] } }
        #expect(hot.count == 3)
        hot.read(keys[3]) { [3] }
        #expect(hot.count == 3)
        hot.moved(nil)
        #expect(Set(Self.drain(hot)) == Set(keys[1...3]))
        hot.read(keys[1]) { [9] }
        hot.moved([.book])
        var loads: [CacheKey: HotKeys.Load] = [:]
        while let due = hot.takeDue() { loads[due.key] = due.load }
        #expect(Set(loads.keys) == Set(keys[1...3]))
        let load = try #require(loads[keys[1]])
        let loaded = try await load()
        #expect(loaded == [9])
        try await Task.sleep(for: .milliseconds(400))
        hot.moved(nil)
        #expect(Self.drain(hot).isEmpty, "reads older than the window are not loaded again")
    }
}
