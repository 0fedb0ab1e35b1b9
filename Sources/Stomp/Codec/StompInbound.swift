/// What the decoder reads from the broker: a frame, or a heart-beat (an end-of-line between frames).
public enum StompInbound: Sendable, Hashable {
    /// A complete frame.
    case frame(StompFrame)
    /// One or more EOLs (`\n` or `\r\n`) sent as a heart-beat or after a frame's NUL.
    case heartbeat
}
