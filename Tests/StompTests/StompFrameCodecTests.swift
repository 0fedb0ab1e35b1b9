import NIOCore
import NIOEmbedded
import Testing

@testable import Stomp

/// The hand-written STOMP 1.2 codec on its own (no broker): escaping, binary bodies, frames split
/// across reads or packed into one, heart-beat EOLs, and the size limits.
@Suite struct StompFrameCodecTests {
    private func encode(_ frames: [StompFrame]) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        for frame in frames { try StompFrameEncoder.encode(frame, into: &buffer) }
        return buffer
    }

    /// Feeds `chunks` to a decoder in an EmbeddedChannel, as separate reads, and returns what it
    /// produced.
    private func decode(_ chunks: [ByteBuffer], limits: StompFrameLimits = StompFrameLimits()) throws -> [StompInbound] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(StompFrameDecoder(limits: limits)))
        var items: [StompInbound] = []
        for chunk in chunks {
            try channel.writeInbound(chunk)
            while let item = try channel.readInbound(as: StompInbound.self) { items.append(item) }
        }
        _ = try? channel.finish()
        return items
    }

    private func frames(_ items: [StompInbound]) -> [StompFrame] {
        items.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
    }

    @Test func headersAreEscapedOnTheWireAndUnescapedOnReading() throws {
        let headers: StompHeaders = ["destination": "/queue/a", "odd:name": "colon: line\nbreak\rcr back\\slash"]
        let frame = StompFrame(.message, headers: headers)
        let wire = String(decoding: try encode([frame]).readableBytesView, as: UTF8.self)
        #expect(wire.contains("odd\\cname:colon\\c line\\nbreak\\rcr back\\\\slash\n"))
        let decoded = frames(try decode([try encode([frame])]))
        #expect(decoded == [frame])
    }

    @Test func connectHeadersAreSentUnescapedAndALineBreakInThemIsRefused() throws {
        let connect = StompFrame(.connect, headers: ["accept-version": "1.2", "host": "broker:61613"])
        let wire = String(decoding: try encode([connect]).readableBytesView, as: UTF8.self)
        #expect(wire == "CONNECT\naccept-version:1.2\nhost:broker:61613\n\n\0")

        let secret = "pa\nss-1234"
        let bad = StompFrame(.connect, headers: ["passcode": secret])
        do {
            _ = try encode([bad])
            Issue.record("a CONNECT header with a line break was encoded")
        } catch let error as StompError {
            #expect(error.code == .invalidHeader)
            #expect(!error.description.contains("ss-1234"))
            #expect(!error.debugDescription.contains("ss-1234"))
        }
    }

    @Test func connectedHeadersAreNotUnescaped() throws {
        var bytes = ByteBuffer(string: "CONNECTED\nversion:1.2\nsession:ID\\cx\n\n\0")
        var decoder = StompFrameDecoder()
        let item = try decoder.next(from: &bytes)
        guard case .frame(let frame) = item else { Issue.record("no frame"); return }
        #expect(frame.headers["session"] == "ID\\cx")
    }

    @Test func anUndefinedEscapeIsAProtocolError() throws {
        var bytes = ByteBuffer(string: "MESSAGE\nsubscription:1\nbad:a\\tb\n\n\0")
        var decoder = StompFrameDecoder()
        #expect(throws: StompError.self) { _ = try decoder.next(from: &bytes) }
        do {
            var again = ByteBuffer(string: "MESSAGE\nbad:a\\tb\n\n\0")
            var fresh = StompFrameDecoder()
            _ = try fresh.next(from: &again)
        } catch {
            #expect(error.code == .malformedFrame)
        }
    }

    @Test func aBinaryBodyWithNulBytesTravelsWholeWithContentLength() throws {
        let body: [UInt8] = [0, 1, 0, 255, 0, 0, 10, 13, 0]
        let frame = StompFrame(.send, headers: ["destination": "/queue/x"], body: ByteBuffer(bytes: body))
        let wire = try encode([frame])
        #expect(String(decoding: wire.readableBytesView, as: UTF8.self).contains("content-length:9\n"))
        let decoded = frames(try decode([wire]))
        #expect(decoded.count == 1)
        #expect(Array(decoded[0].body.readableBytesView) == body)
    }

    @Test func withoutContentLengthTheBodyEndsAtTheFirstNul() throws {
        let wire = ByteBuffer(string: "MESSAGE\nsubscription:1\n\nhello\0\nMESSAGE\nsubscription:1\n\n\0")
        let decoded = frames(try decode([wire]))
        #expect(decoded.map { String(buffer: $0.body) } == ["hello", ""])
    }

    @Test func framesSplitAtEveryByteAndPackedTogetherDecodeTheSame() throws {
        var sent: [StompFrame] = []
        for index in 0..<5 {
            let body = (0..<(index * 50)).map { UInt8(truncatingIfNeeded: $0 * 7) } + [0]
            // content-length as the encoder writes it, so the decoded frames compare equal.
            sent.append(StompFrame(.message, headers: ["subscription": "s", "n": "\(index)", "k": "a:b\nc", "content-length": "\(body.count)"],
                                   body: ByteBuffer(bytes: body)))
        }
        let wire = try encode(sent)
        // All in one read.
        #expect(frames(try decode([wire])) == sent)
        // One byte per read.
        let bytes = Array(wire.readableBytesView)
        #expect(frames(try decode(bytes.map { ByteBuffer(bytes: [$0]) })) == sent)
        // Random cuts.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var cuts = Set((0..<6).map { _ in Int.random(in: 1..<bytes.count, using: &generator) })
            cuts.insert(bytes.count)
            var chunks: [ByteBuffer] = []
            var start = 0
            for cut in cuts.sorted() {
                chunks.append(ByteBuffer(bytes: bytes[start..<cut]))
                start = cut
            }
            #expect(frames(try decode(chunks)) == sent)
        }
    }

    @Test func endOfLineBytesBetweenFramesAreHeartBeats() throws {
        let frame = StompFrame(.receipt, headers: ["receipt-id": "r1"])
        var wire = ByteBuffer(string: "\n")
        wire.writeImmutableBuffer(try encode([frame]))
        wire.writeString("\r\n\n")
        wire.writeImmutableBuffer(try encode([frame]))
        let items = try decode([wire, ByteBuffer(string: "\n")])
        #expect(items == [.heartbeat, .frame(frame), .heartbeat, .frame(frame), .heartbeat])
        // A lone CR waits for its LF.
        let split = try decode([ByteBuffer(string: "\r"), ByteBuffer(string: "\n")])
        #expect(split == [.heartbeat])
    }

    @Test func crlfLineEndingsAndRepeatedHeaders() throws {
        let wire = ByteBuffer(string: "MESSAGE\r\nsubscription:1\r\nfoo:first\r\nfoo:second\r\n\r\nbody\0")
        let decoded = frames(try decode([wire]))
        #expect(decoded.count == 1)
        #expect(decoded.first?.headers["foo"] == "first")
        #expect(decoded.first.map { String(buffer: $0.body) } == "body")
    }

    @Test func aFrameOverTheLimitIsATypedErrorBeforeItsBodyArrives() throws {
        let limits = StompFrameLimits(maxFrameBytes: 1024, maxHeaderBytes: 256)
        // Declared too large: refused on the headers alone.
        var declared = ByteBuffer(string: "MESSAGE\nsubscription:1\ncontent-length:5000\n\n")
        var decoder = StompFrameDecoder(limits: limits)
        #expect(throws: StompError.self) { _ = try decoder.next(from: &declared) }
        do {
            var again = ByteBuffer(string: "MESSAGE\nsubscription:1\ncontent-length:5000\n\n")
            var fresh = StompFrameDecoder(limits: limits)
            _ = try fresh.next(from: &again)
        } catch {
            #expect(error.code == .frameTooLarge)
        }
        // No content-length and no NUL within the limit.
        var endless = ByteBuffer(string: "MESSAGE\nsubscription:1\n\n")
        endless.writeRepeatingByte(UInt8(ascii: "x"), count: 600)
        var streaming = StompFrameDecoder(limits: limits)
        #expect(try streaming.next(from: &endless) == nil)
        endless.writeRepeatingByte(UInt8(ascii: "x"), count: 600)
        #expect(throws: StompError.self) { _ = try streaming.next(from: &endless) }
        // A header section that never ends.
        var headers = ByteBuffer(string: "MESSAGE\n")
        headers.writeString(String(repeating: "h:v\n", count: 100))
        var headerDecoder = StompFrameDecoder(limits: limits)
        #expect(throws: StompError.self) { _ = try headerDecoder.next(from: &headers) }
        // Through a channel, the error surfaces as the pipeline's error.
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(StompFrameDecoder(limits: limits)))
        #expect(throws: StompError.self) {
            try channel.writeInbound(ByteBuffer(string: "MESSAGE\nsubscription:1\ncontent-length:99999\n\n"))
        }
        _ = try? channel.finish()
    }

    @Test func aFrameJustUnderTheLimitIsAccepted() throws {
        let limits = StompFrameLimits(maxFrameBytes: 1024, maxHeaderBytes: 256)
        let head = "MESSAGE\nsubscription:1\ncontent-length:"
        // head + digits + "\n\n" + body + NUL == 1024
        let bodyLength = 1024 - head.utf8.count - 3 - 2 - 1
        var wire = ByteBuffer(string: "\(head)\(bodyLength)\n\n")
        wire.writeRepeatingByte(0, count: bodyLength)
        wire.writeInteger(UInt8(0))
        #expect(wire.readableBytes == 1024)
        let decoded = frames(try decode([wire], limits: limits))
        #expect(decoded.first?.body.readableBytes == bodyLength)
    }

    @Test func garbageIsAProtocolErrorNotACrash() throws {
        for text in ["HELLO\n\n\0", "MESSAGE\nno-colon-here\n\n\0", "MESSAGE\ncontent-length:abc\n\n\0",
                     "MESSAGE\ncontent-length:2\n\nabc\0", "\r\rX"] {
            var bytes = ByteBuffer(string: text)
            var decoder = StompFrameDecoder()
            #expect(throws: StompError.self, "\(text.debugDescription)") {
                while try decoder.next(from: &bytes) != nil {}
            }
        }
    }
}
