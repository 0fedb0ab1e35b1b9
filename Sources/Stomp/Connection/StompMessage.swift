import NIOCore

/// A MESSAGE frame delivered to a subscription.
///
/// Its body is the bytes the producer sent (a JMS BytesMessage arrives with `content-length`, so
/// it may hold NUL bytes). Acknowledge it with `StompConnection.acknowledge(_:)` (or let
/// `StompConsumer` do it after the handler returns).
public struct StompMessage: Sendable {
    /// All headers, unescaped, in the broker's order.
    public var headers: StompHeaders
    /// The body.
    public var body: ByteBuffer
    /// The subscription it was delivered to.
    public var subscription: String
    /// The value for the `id` header of ACK/NACK: the MESSAGE's `ack` header (STOMP 1.2), or its
    /// `message-id` when the broker sent none.
    public var ackID: String

    /// The message from a MESSAGE frame; nil without a `subscription` header.
    init?(frame: StompFrame) {
        guard let subscription = frame.headers["subscription"] else { return nil }
        self.headers = frame.headers
        self.body = frame.body
        self.subscription = subscription
        self.ackID = frame.headers["ack"] ?? frame.headers["message-id"] ?? ""
    }

    /// The broker's id of the message (`message-id`).
    public var messageID: String { headers["message-id"] ?? "" }
    /// The destination it was sent to (`/queue/NAME`).
    public var destination: String { headers["destination"] ?? "" }
    /// Whether the broker delivered it before without an acknowledgement (ActiveMQ's
    /// `redelivered:true`).
    public var isRedelivery: Bool { headers["redelivered"] == "true" }
    /// The body as an array of bytes.
    public var bodyBytes: [UInt8] { Array(body.readableBytesView) }
}
