import NIOCore

/// The mutable part of a `StompConnection`, behind its mutex: who waits for which frame.
///
/// Every promise stored here is completed exactly once: by the frame it waits for, by its
/// timeout, or by `StompConnection.fail(_:)` when the connection ends (which empties the state).
struct StompConnectionState {
    /// The first error that ended the connection; every later call throws it.
    var failure: StompError?
    /// Set once DISCONNECT is sent: the broker closing the socket is then expected.
    var closing = false
    /// The handshake, waiting for CONNECTED.
    var connected: EventLoopPromise<StompFrame>?
    /// RECEIPTs waited for, by receipt id.
    var receipts: [String: EventLoopPromise<Void>] = [:]
    /// Live subscriptions, by id.
    var subscriptions: [String: AsyncThrowingStream<StompMessage, any Error>.Continuation] = [:]
    /// The counter behind subscription and receipt ids.
    var nextID = 0
    /// Heart-beats (EOLs) received from the broker.
    var heartbeatsReceived = 0
    /// What CONNECTED said, once it arrived.
    var session: StompSession?

    /// Takes everything that waits, leaving the state empty and failed with `error` (the first
    /// error wins).
    mutating func takeWaiters(failing error: StompError) -> (EventLoopPromise<StompFrame>?, [EventLoopPromise<Void>],
                                                             [AsyncThrowingStream<StompMessage, any Error>.Continuation]) {
        if failure == nil { failure = error }
        let taken = (connected, Array(receipts.values), Array(subscriptions.values))
        connected = nil
        receipts = [:]
        subscriptions = [:]
        return taken
    }
}
