/// Bounds on what the decoder accepts, so that a broken or hostile peer cannot make the client
/// buffer without limit. Exceeding one is a `StompError` with code `frameTooLarge`.
public struct StompFrameLimits: Sendable, Hashable {
    /// The largest frame (command, headers and body) in bytes. Default 16 MiB.
    public var maxFrameBytes: Int
    /// The largest command line plus header section in bytes. Default 64 KiB.
    public var maxHeaderBytes: Int
    /// The most header lines in one frame. Default 256.
    public var maxHeaderCount: Int

    /// Creates limits.
    public init(maxFrameBytes: Int = 16 << 20, maxHeaderBytes: Int = 64 << 10, maxHeaderCount: Int = 256) {
        self.maxFrameBytes = maxFrameBytes
        self.maxHeaderBytes = min(maxHeaderBytes, maxFrameBytes)
        self.maxHeaderCount = maxHeaderCount
    }
}
