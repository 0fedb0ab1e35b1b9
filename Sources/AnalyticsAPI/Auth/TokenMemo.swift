import Foundation
import Synchronization

/// A bounded map of tokens already verified, valid until their `exp` (and not before their `nbf`).
final class TokenMemo: Sendable {
    private struct Entry {
        var identity: Identity
        var notBefore: Date
        var expires: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The identity of a token verified before, if it is still inside its validity window.
    func lookup(_ token: String, now: Date) -> Identity? {
        entries.withLock { map in
            guard let entry = map[token] else { return nil }
            guard now < entry.expires else {
                map[token] = nil
                return nil
            }
            return now >= entry.notBefore ? entry.identity : nil
        }
    }

    /// Remembers a verified token.
    func store(_ token: String, identity: Identity, notBefore: Date, expires: Date) {
        entries.withLock { map in
            if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            map[token] = Entry(identity: identity, notBefore: notBefore, expires: expires)
        }
    }
}
