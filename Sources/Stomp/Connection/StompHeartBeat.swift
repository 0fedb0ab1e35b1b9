/// STOMP heart-beat intervals: `send` is how often one side can send, `receive` how often it
/// wants to receive. Zero means "not at all". The `heart-beat` header carries them in whole
/// milliseconds.
public struct StompHeartBeat: Sendable, Hashable {
    /// The smallest interval this side can send at (zero: it sends none).
    public var send: Duration
    /// The interval this side wants to receive at (zero: it wants none).
    public var receive: Duration

    /// Intervals for both directions.
    public init(send: Duration, receive: Duration) {
        self.send = send
        self.receive = receive
    }

    /// The `heart-beat` header value, `send,receive` in milliseconds.
    public var headerValue: String { "\(Self.milliseconds(send)),\(Self.milliseconds(receive))" }

    /// The intervals from a `heart-beat` header; nil when malformed. A missing header means 0,0.
    public init?(headerValue: String) {
        let parts = headerValue.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let send = Int64(parts[0].trimmingSpaces), send >= 0,
              let receive = Int64(parts[1].trimmingSpaces), receive >= 0 else { return nil }
        self.init(send: .milliseconds(send), receive: .milliseconds(receive))
    }

    /// What the two sides agreed (STOMP 1.2, "Heart-beating"): we send every
    /// max(our send, their receive) unless either is zero, and expect to hear from them every
    /// max(their send, our receive) unless either is zero. Nil means "not in that direction".
    public static func negotiate(client: StompHeartBeat, server: StompHeartBeat) -> (send: Duration?, expect: Duration?) {
        let send: Duration? = client.send == .zero || server.receive == .zero ? nil : max(client.send, server.receive)
        let expect: Duration? = server.send == .zero || client.receive == .zero ? nil : max(server.send, client.receive)
        return (send, expect)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
