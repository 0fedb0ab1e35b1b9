import NIOCore

/// One STOMP frame: a command, headers and a body of bytes (which may hold NUL bytes when the
/// frame has a `content-length` header).
public struct StompFrame: Sendable, Hashable {
    /// The command.
    public var command: StompCommand
    /// The headers, unescaped.
    public var headers: StompHeaders
    /// The body; empty for most client frames.
    public var body: ByteBuffer

    /// Creates a frame.
    public init(_ command: StompCommand, headers: StompHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.command = command
        self.headers = headers
        self.body = body
    }
}
