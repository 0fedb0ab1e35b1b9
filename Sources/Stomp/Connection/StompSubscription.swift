/// The messages of one SUBSCRIBE on one connection, in the order the broker sent them.
///
/// `for try await message in subscription { ... }`; the sequence throws the connection's error
/// when the connection fails (ERROR frame, heart-beat timeout, closed socket) and ends when the
/// subscription or the connection is closed. One task iterates it. Messages stay unacknowledged
/// until `StompConnection.acknowledge(_:)`; with `ack:client` or `ack:client-individual` the broker sends at most
/// `prefetch` unacknowledged messages, which bounds what this buffers.
public struct StompSubscription: AsyncSequence, Sendable {
    public typealias Element = StompMessage

    /// The subscription id (the SUBSCRIBE frame's `id` header).
    public let id: String
    /// The destination, e.g. `/queue/fineract-events`.
    public let destination: String
    let stream: AsyncThrowingStream<StompMessage, any Error>

    public func makeAsyncIterator() -> AsyncThrowingStream<StompMessage, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }
}
