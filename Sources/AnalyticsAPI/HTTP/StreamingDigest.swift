import Crypto
import NIOCore

/// A request hash computed while the body streams past: the SHA-256 of a `CanonicalDigest`
/// encoding of the request's other parts (self-delimiting: every part carries its length),
/// followed by the body bytes as they arrive, followed by the body's length. Two requests that
/// differ in any part or in one body byte hash differently; the body is never held in memory.
struct StreamingDigest {
    private var hasher = SHA256()
    private var count = 0

    /// Starts with the encoding of `parts`.
    init(parts: CanonicalDigest) {
        hasher.update(data: parts.encoding)
    }

    /// Adds the next part of the body.
    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        count += buffer.readableBytes
    }

    /// The hash in lower-case hex (as `CanonicalDigest.hex`).
    func finalize() -> String {
        var hasher = self.hasher
        withUnsafeBytes(of: UInt64(count).bigEndian) { hasher.update(bufferPointer: $0) }
        return CanonicalDigest.hex(Array(hasher.finalize()))
    }
}
