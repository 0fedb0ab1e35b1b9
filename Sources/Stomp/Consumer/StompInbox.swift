import NIOCore
import Synchronization

/// The messages a `StompConsumer` session has received and not yet handed to its handler, in
/// delivery order. The subscription's reader appends each message and then signals; the handling
/// loop takes what has arrived (up to a batch) on each signal, so it never waits for a batch to
/// fill: under a backlog it takes many at once, in a quiet stream one.
final class StompInbox: Sendable {
    private let messages = Mutex(CircularBuffer<StompMessage>())

    func append(_ message: StompMessage) {
        messages.withLock { $0.append(message) }
    }

    /// Removes and returns up to `limit` of the oldest messages (none when empty).
    func take(upTo limit: Int) -> [StompMessage] {
        messages.withLock { messages in
            let count = min(limit, messages.count)
            defer { messages.removeFirst(count) }  // a ring buffer: no shifting of the rest
            return Array(messages.prefix(count))
        }
    }
}
