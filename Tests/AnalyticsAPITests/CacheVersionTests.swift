@testable import AnalyticsAPI
import AnalyticsStore
import NIOCore
import Testing

/// The key and version logic of targeted invalidation, without servers: which tags a read carries,
/// how they enter the key, what the tracker knows while announcements come and go, and the finished
/// bodies checked against their tags' versions.
@Suite("Cache versions")
struct CacheVersionTests {
    static let x = CacheTag.officer("OFF0001")
    static let y = CacheTag.officer("OFF0002")
    static let lagos = CacheTag.branch("Lagos Main")

    @Test("the tags of a read: officer filter, else branch filter, else the book")
    func tagsOfReads() {
        #expect(CacheTag.filtered(officerID: "OFF0001", branch: nil) == [Self.x])
        #expect(CacheTag.filtered(officerID: "OFF0001", branch: "Ibadan") == [Self.x])
        #expect(CacheTag.filtered(officerID: nil, branch: "Lagos Main") == [Self.lagos])
        #expect(CacheTag.filtered(officerID: nil, branch: nil) == [.book])
    }

    @Test("tags are in the digest, sorted and once; the Redis key holds the generation, the value the tag versions")
    func tagsInTheKey() {
        func key(_ tags: [CacheTag]) -> CacheKey {
            CacheKey(.officerList, role: .viewer, scope: .unrestricted, parameters: [("branch", "Lagos Main")], tags: tags)
        }
        #expect(key([Self.x]) != key([Self.y]))
        #expect(key([Self.x]).digest != key([]).digest)
        #expect(key([.book, Self.x, .book]) == key([Self.x, .book]))
        #expect(key([Self.x, .book]).tags == [.book, Self.x])
        let tagged = key([Self.x, .book])
        #expect(tagged.redisKey(generation: 7) == "{analytics}:v7:officer_list:" + tagged.hex)
        #expect(tagged.redisKey(generation: 7) != key([]).redisKey(generation: 7))
    }

    @Test("a labelled value is taken at exactly the versions it was stored at; anything else is a miss")
    func labels() {
        let value: [UInt8] = Array("page".utf8) + [0, 255]
        let stored = KeyVersion(generation: 7, tagVersions: [3, 12]).labelled(value)
        #expect(KeyVersion(generation: 7, tagVersions: [3, 12]).value(ofLabelled: stored) == value)
        #expect(KeyVersion(generation: 7, tagVersions: [3, 13]).value(ofLabelled: stored) == nil)
        #expect(KeyVersion(generation: 7, tagVersions: [4, 12]).value(ofLabelled: stored) == nil)
        #expect(KeyVersion(generation: 7, tagVersions: [3]).value(ofLabelled: stored) == nil)
        #expect(KeyVersion(generation: 7, tagVersions: [Int64.max]).value(ofLabelled: KeyVersion(generation: 1, tagVersions: [Int64.max]).labelled([])) == [])
        // Not a labelled value (too short, or the bytes of an unlabelled page): a miss, not a crash.
        #expect(KeyVersion(generation: 7, tagVersions: [3]).value(ofLabelled: [1, 0, 0]) == nil)
        #expect(KeyVersion(generation: 7, tagVersions: [3]).value(ofLabelled: []) == nil)
    }

    @Test("the local layer serves an entry only at the version it was stored at, and keeps one version per key")
    func localLayerVersions() {
        let cache = LocalCache(maximumBytes: 1_000, ttl: .seconds(60))
        let key = CacheKey(.officerMetrics, role: .viewer, scope: .unrestricted, resource: ["OFF0001"], tags: [Self.x])
        cache.set(key, version: KeyVersion(generation: 1, tagVersions: [0]), Array("old".utf8))
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [0])) == Array("old".utf8))
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [1])) == nil)
        #expect(cache.get(key, version: KeyVersion(generation: 2, tagVersions: [0])) == nil)
        cache.set(key, version: KeyVersion(generation: 1, tagVersions: [1]), Array("new".utf8))
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [1])) == Array("new".utf8))
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [0])) == nil)
    }

    @Test("the tracker: versions only while live, 0 for a tag never bumped, nil while a tag or the generation is pending")
    func trackerVersions() {
        let tracker = GenerationTracker()
        #expect(tracker.liveVersion(for: [Self.x]) == nil)
        tracker.connected(generation: 4, tagVersions: [Self.x: 2, .book: 9])
        #expect(tracker.liveVersion(for: [.book, Self.x, Self.y]) == KeyVersion(generation: 4, tagVersions: [9, 2, 0]))
        #expect(tracker.liveVersion(for: []) == KeyVersion(generation: 4))

        // An announcement of X: entries showing X ask Redis until its version is re-read; Y's do not.
        tracker.tagsAnnounced([Self.x])
        #expect(tracker.liveVersion(for: [Self.x]) == nil)
        #expect(tracker.liveVersion(for: [.book, Self.x]) == nil)
        #expect(tracker.liveVersion(for: [Self.y]) == KeyVersion(generation: 4, tagVersions: [0]))
        tracker.tagsRead([Self.x: 3])
        #expect(tracker.liveVersion(for: [Self.x]) == KeyVersion(generation: 4, tagVersions: [3]))

        // Readings only raise: an older reading arriving late changes nothing.
        tracker.tagsRead([Self.x: 2])
        #expect(tracker.liveVersion(for: [Self.x]) == KeyVersion(generation: 4, tagVersions: [3]))
        #expect(tracker.tagsObserved([Self.x: 3, Self.y: 1, .book: 8]) == 1)
        #expect(tracker.liveVersion(for: [.book, Self.x, Self.y]) == KeyVersion(generation: 4, tagVersions: [9, 3, 1]))

        // A generation announcement without its number: nothing is served from memory until re-read.
        let since = tracker.generationAnnounced()
        #expect(tracker.liveVersion(for: [Self.y]) == nil)
        #expect(tracker.liveGeneration == 4)
        tracker.generationRead(5, since: since)
        #expect(tracker.liveVersion(for: [Self.y]) == KeyVersion(generation: 5, tagVersions: [1]))

        // Down: nothing is known; up again: the versions read then, whatever they are.
        tracker.disconnected()
        #expect(tracker.liveVersion(for: [Self.y]) == nil)
        tracker.connected(generation: 5, tagVersions: [:])
        #expect(tracker.liveVersion(for: [Self.x]) == KeyVersion(generation: 5, tagVersions: [0]))
    }

    @Test("a generation re-read that a later periodic re-read overtook is not adopted, and is no longer pending")
    func generationReadOvertaken() {
        let tracker = GenerationTracker()
        tracker.connected(generation: 1)
        let since = tracker.generationAnnounced()
        #expect(tracker.observed(3, since: tracker.version))
        tracker.generationRead(2, since: since)
        #expect(tracker.liveVersion(for: []) == KeyVersion(generation: 3))
    }

    static func entry(_ text: String) -> RenderedResponseCache.Entry {
        .init(body: ByteBuffer(string: text), etag: "\"\(text)\"")
    }

    @Test("a finished body is served only at the tag versions it was rendered at; a late old body never is")
    func bodiesCheckTagVersions() {
        let cache = RenderedResponseCache()
        let key = CacheKey(.officerList, role: .viewer, scope: .unrestricted, tags: [.book, Self.x])
        cache.setLiveGeneration(1)
        cache.set(key, version: KeyVersion(generation: 1, tagVersions: [0, 0]), Self.entry("old"))
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [0, 0]))?.etag == "\"old\"")
        // X bumped: the old body is not served.
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [0, 1])) == nil)
        cache.set(key, version: KeyVersion(generation: 1, tagVersions: [0, 1]), Self.entry("new"))
        // A read that rendered before the bump stores its body after it: the newer body stays.
        cache.set(key, version: KeyVersion(generation: 1, tagVersions: [0, 0]), Self.entry("late"))
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [0, 1]))?.etag == "\"new\"")
        #expect(cache.get(key, version: KeyVersion(generation: 1, tagVersions: [0, 0])) == nil)
    }

    @Test("the states memo is per tags and version, and bounded")
    func versionMemo() {
        let memo = VersionMemo<Int?>(capacity: 3)
        memo.store(1, tags: [Self.x], version: KeyVersion(generation: 1, tagVersions: [1]))
        memo.store(nil, tags: [Self.y], version: KeyVersion(generation: 1, tagVersions: [1]))
        #expect(memo.value(tags: [Self.x], version: KeyVersion(generation: 1, tagVersions: [1])) == .some(1))
        #expect(memo.value(tags: [Self.y], version: KeyVersion(generation: 1, tagVersions: [1])) == .some(nil))
        #expect(memo.value(tags: [Self.x], version: KeyVersion(generation: 1, tagVersions: [2])) == nil)
        memo.store(3, tags: [Self.x], version: KeyVersion(generation: 1, tagVersions: [2]))
        memo.store(4, tags: [Self.x], version: KeyVersion(generation: 1, tagVersions: [3]))
        #expect(memo.value(tags: [Self.x], version: KeyVersion(generation: 1, tagVersions: [1])) == nil)
        #expect(memo.value(tags: [Self.x], version: KeyVersion(generation: 1, tagVersions: [3])) == .some(4))
    }
}
