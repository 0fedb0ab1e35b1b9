// This STOMP 1.2 frame codec is hand-written: there is no STOMP package for SwiftNIO. It follows
// https://stomp.github.io/stomp-specification-1.2.html ("Augmented BNF", "Value Encoding",
// "Heart-beating", "Size Limits").
import NIOCore

/// Decodes the bytes from the broker into frames and heart-beats.
///
/// Handles frames split across reads and several frames in one read, bodies delimited by
/// `content-length` (which may hold NUL bytes) or by the first NUL, `\r\n` line endings, header
/// unescaping (none for CONNECTED), and EOLs between frames, which it reports as `.heartbeat`.
/// Anything larger than `limits` throws `StompError` `frameTooLarge`; anything that is not STOMP
/// throws `malformedFrame`. Both close the connection (`ByteToMessageHandler` stops decoding).
public struct StompFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = StompInbound

    /// A frame whose command and headers are parsed and whose body has not fully arrived.
    private struct Pending {
        var command: StompCommand
        var headers: StompHeaders
        /// Bytes from the reader index to the first body byte.
        var headerLength: Int
        /// The declared body length, when the frame has `content-length`.
        var contentLength: Int?
        /// Body bytes already searched for the terminating NUL (frames without `content-length`).
        var scanned: Int
    }

    private let limits: StompFrameLimits
    private var pending: Pending?

    /// A decoder that enforces `limits`.
    public init(limits: StompFrameLimits = StompFrameLimits()) {
        self.limits = limits
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let inbound = try next(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(inbound))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A frame cut off by the end of the stream is dropped: the connection is gone, and the
        // broker redelivers whatever was not acknowledged.
        try decode(context: context, buffer: &buffer)
    }

    /// The next frame or heart-beat at the start of `buffer`, consuming its bytes, or nil when
    /// more bytes are needed (nothing is consumed then).
    public mutating func next(from buffer: inout ByteBuffer) throws(StompError) -> StompInbound? {
        if pending == nil {
            switch try Self.leadingEOLs(buffer) {
            case .needMoreData: return nil
            case .eols(let count):
                buffer.moveReaderIndex(forwardBy: count)
                return .heartbeat
            case .none: break
            }
            guard let parsed = try parseHead(buffer) else { return nil }
            pending = parsed
        }
        guard let frame = try takeBody(from: &buffer) else { return nil }
        pending = nil
        return .frame(frame)
    }

    private enum LeadingEOLs { case none, eols(Int), needMoreData }

    /// How many EOL bytes start `buffer`.
    private static func leadingEOLs(_ buffer: ByteBuffer) throws(StompError) -> LeadingEOLs {
        let view = buffer.readableBytesView
        var index = view.startIndex
        while index < view.endIndex {
            switch view[index] {
            case UInt8(ascii: "\n"):
                index += 1
            case UInt8(ascii: "\r"):
                guard index + 1 < view.endIndex else {
                    return index == view.startIndex ? .needMoreData : .eols(index - view.startIndex)
                }
                guard view[index + 1] == UInt8(ascii: "\n") else { throw StompError.malformed("a CR not followed by LF") }
                index += 2
            default:
                return index == view.startIndex ? .none : .eols(index - view.startIndex)
            }
        }
        return index == view.startIndex ? .needMoreData : .eols(index - view.startIndex)
    }

    /// The command and headers at the start of `buffer`, or nil when the blank line that ends
    /// them has not arrived.
    private func parseHead(_ buffer: ByteBuffer) throws(StompError) -> Pending? {
        let view = buffer.readableBytesView
        let start = view.startIndex
        var lines: [Range<Int>] = []
        var lineStart = start
        var bodyStart: Int?
        var index = start
        while index < view.endIndex {
            guard index - start < limits.maxHeaderBytes else { throw StompError.frameTooLarge(limit: limits.maxHeaderBytes) }
            if view[index] == UInt8(ascii: "\n") {
                var lineEnd = index
                if lineEnd > lineStart, view[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                if lineEnd == lineStart {
                    bodyStart = index + 1
                    break
                }
                lines.append(lineStart..<lineEnd)
                guard lines.count <= limits.maxHeaderCount + 1 else { throw StompError.frameTooLarge(limit: limits.maxHeaderBytes) }
                lineStart = index + 1
            } else if view[index] == 0 {
                throw StompError.malformed("a NUL byte before the end of the headers")
            }
            index += 1
        }
        guard let bodyStart else {
            if view.endIndex - start >= limits.maxHeaderBytes { throw StompError.frameTooLarge(limit: limits.maxHeaderBytes) }
            return nil
        }
        guard let commandLine = lines.first else { throw StompError.malformed("a frame without a command") }
        let commandText = String(decoding: view[commandLine], as: UTF8.self)
        guard let command = StompCommand(rawValue: commandText) else {
            throw StompError.malformed("an unknown command of \(commandText.utf8.count) bytes")
        }
        var headers = StompHeaders()
        for line in lines.dropFirst() {
            let bytes = view[line]
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
                throw StompError.malformed("a header line without a colon")
            }
            let name = bytes[..<colon], value = bytes[(colon + 1)...]
            if command.escapesHeaders {
                headers.append(try StompHeaderEscaping.unescape(name), try StompHeaderEscaping.unescape(value))
            } else {
                headers.append(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
            }
        }
        var contentLength: Int?
        if let text = headers["content-length"] {
            guard let length = Int(text), length >= 0 else { throw StompError.malformed("a content-length that is not a number") }
            contentLength = length
        }
        let headerLength = bodyStart - start
        if let contentLength, contentLength > limits.maxFrameBytes - headerLength - 1 {
            throw StompError.frameTooLarge(limit: limits.maxFrameBytes)
        }
        return Pending(command: command, headers: headers, headerLength: headerLength, contentLength: contentLength, scanned: 0)
    }

    /// The frame once its body and NUL have arrived, consuming it; nil when they have not.
    private mutating func takeBody(from buffer: inout ByteBuffer) throws(StompError) -> StompFrame? {
        guard var head = pending else { return nil }
        let bodyStart = buffer.readerIndex + head.headerLength
        let bodyLength: Int
        if let contentLength = head.contentLength {
            guard buffer.readableBytes >= head.headerLength + contentLength + 1 else { return nil }
            guard buffer.getInteger(at: bodyStart + contentLength, as: UInt8.self) == 0 else {
                throw StompError.malformed("the byte after content-length bytes is not NUL")
            }
            bodyLength = contentLength
        } else {
            let available = buffer.readableBytes - head.headerLength
            let searchFrom = bodyStart + head.scanned
            let found = buffer.readableBytesView[searchFrom...].firstIndex(of: 0)
            guard let nul = found else {
                head.scanned = available
                pending = head
                if head.headerLength + available >= limits.maxFrameBytes { throw StompError.frameTooLarge(limit: limits.maxFrameBytes) }
                return nil
            }
            bodyLength = nul - bodyStart
            if head.headerLength + bodyLength + 1 > limits.maxFrameBytes { throw StompError.frameTooLarge(limit: limits.maxFrameBytes) }
        }
        let body = buffer.getSlice(at: bodyStart, length: bodyLength) ?? ByteBuffer()
        buffer.moveReaderIndex(forwardBy: head.headerLength + bodyLength + 1)
        return StompFrame(head.command, headers: head.headers, body: body)
    }
}
