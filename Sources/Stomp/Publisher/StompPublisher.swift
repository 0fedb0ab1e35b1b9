import Logging
import NIOCore
import NIOPosix

/// Sends binary messages to one queue the way a JMS producer does: SEND with `content-length`
/// (ActiveMQ delivers it as a BytesMessage) and `persistent:true` (stored before it is confirmed),
/// in batches that each end with a SEND that asks for a RECEIPT. The broker handles a connection's
/// frames in order, so that RECEIPT confirms the whole batch.
///
/// Used by the tests and the events benchmark to play Fineract's producer. Thread-safe: it holds
/// configuration only; each `publish` or `withSession` opens a connection of its own.
public struct StompPublisher: Sendable {
    /// The broker.
    public let configuration: StompConfiguration
    /// The STOMP destination, `/queue/NAME`.
    public let destination: String
    /// Messages per RECEIPT in `publish(_:)` (at least 1).
    public let batchSize: Int
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    /// A publisher to `queue` (a bare name, or a full `/queue/...` destination).
    public init(configuration: StompConfiguration, queue: String, batchSize: Int = 500,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.destination = queue.hasPrefix("/") ? queue : "/queue/\(queue)"
        self.batchSize = max(batchSize, 1)
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Connects, sends `bodies` in order in batches of ``batchSize`` (a RECEIPT per batch),
    /// disconnects, and returns how many were sent. When it throws, the messages of the batch in
    /// flight may or may not be in the queue (at-least-once, as Fineract's own producer).
    @discardableResult
    public func publish(_ bodies: some Sequence<[UInt8]>, headers: StompHeaders = [:]) async throws -> Int {
        try await withSession { session in
            var batch: [[UInt8]] = []
            batch.reserveCapacity(batchSize)
            var sent = 0
            for body in bodies {
                batch.append(body)
                if batch.count == batchSize {
                    try await session.send(batch, headers: headers)
                    sent += batch.count
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty {
                try await session.send(batch, headers: headers)
                sent += batch.count
            }
            return sent
        }
    }

    /// Runs `body` with one connection to the broker, for paced publishing; disconnects after it
    /// (DISCONNECT's RECEIPT confirms everything sent).
    public func withSession<Result: Sendable>(_ body: (Session) async throws -> Result) async throws -> Result {
        try await StompConnection.connect(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger) { connection in
            try await body(Session(connection: connection, destination: destination))
        }
    }

    /// One connection's sending.
    public struct Session: Sendable {
        let connection: StompConnection
        let destination: String

        /// Sends `bodies` in order; returns once the broker confirmed the last (and so all of them).
        public func send(_ bodies: [[UInt8]], headers: StompHeaders = [:]) async throws {
            for (index, body) in bodies.enumerated() {
                try await connection.send(to: destination, bytes: body, headers: headers, persistent: true,
                                          receipt: index == bodies.count - 1)
            }
        }

        /// Sends one message and returns once the broker confirmed it.
        public func send(_ body: [UInt8], headers: StompHeaders = [:]) async throws {
            try await connection.send(to: destination, bytes: body, headers: headers, persistent: true, receipt: true)
        }
    }
}
