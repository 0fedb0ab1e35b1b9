// This STOMP 1.2 frame codec is hand-written: there is no STOMP package for SwiftNIO.
import NIOCore

/// Encodes frames for the broker: escaped headers (unescaped for CONNECT, as STOMP 1.2 requires),
/// a `content-length` header for every frame with a body (so a body may hold NUL bytes and
/// ActiveMQ turns a SEND into a JMS BytesMessage), the body and the terminating NUL.
public struct StompFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = StompFrame

    /// An encoder.
    public init() {}

    public func encode(data: StompFrame, out: inout ByteBuffer) throws {
        try Self.encode(data, into: &out)
    }

    /// Appends the bytes of `frame` to `out`. Throws `invalidHeader` for a CONNECT header that
    /// cannot be sent unescaped (a line break, or a colon in its name).
    public static func encode(_ frame: StompFrame, into out: inout ByteBuffer) throws(StompError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 + frame.headers.count * 32)
        bytes.append(contentsOf: frame.command.rawValue.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var headers = frame.headers
        if frame.body.readableBytes > 0 || headers["content-length"] != nil {
            headers["content-length"] = String(frame.body.readableBytes)
        }
        for (name, value) in headers {
            if frame.command.escapesHeaders {
                StompHeaderEscaping.escape(name, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                StompHeaderEscaping.escape(value, into: &bytes)
            } else {
                guard !name.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == 10 || $0 == 13 }),
                      !value.utf8.contains(where: { $0 == 10 || $0 == 13 }) else {
                    throw StompError(code: .invalidHeader,
                                     message: "the \(frame.command.rawValue) header '\(name)' holds a line break or a colon, which STOMP cannot carry in that frame")
                }
                bytes.append(contentsOf: name.utf8)
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: value.utf8)
            }
            bytes.append(UInt8(ascii: "\n"))
        }
        bytes.append(UInt8(ascii: "\n"))
        out.reserveCapacity(minimumWritableBytes: bytes.count + frame.body.readableBytes + 1)
        out.writeBytes(bytes)
        out.writeImmutableBuffer(frame.body)
        out.writeInteger(UInt8(0))
    }
}
