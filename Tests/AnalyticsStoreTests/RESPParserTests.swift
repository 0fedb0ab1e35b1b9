import AnalyticsStore
import Testing

/// The pub/sub connection's RESP reader: values split across reads, and malformed input as an error.
@Suite("RESP parser")
struct RESPParserTests {
    static let message = Array("*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$6\r\na\r\nb\r\n\r\n:42\r\n+OK\r\n$-1\r\n".utf8)
    static let expected: [RESPParser.Value] = [
        .array([.bulk(Array("message".utf8)), .bulk(Array("chan".utf8)), .bulk(Array("a\r\nb\r\n".utf8))]),
        .integer(42), .simple("OK"), .bulk(nil),
    ]

    @Test("values split at every possible point come out whole and in order")
    func splitBuffers() throws {
        for cut in 0...Self.message.count {
            var parser = RESPParser()
            let values = try parser.feed(Self.message[..<cut]) + parser.feed(Self.message[cut...])
            #expect(values == Self.expected, "split at \(cut)")
        }
        var parser = RESPParser()
        var values: [RESPParser.Value] = []
        for byte in Self.message { values += try parser.feed([byte]) }
        #expect(values == Self.expected)
    }

    @Test("a malformed integer, length or type is a protocol error, not 0 or a stall")
    func malformed() {
        for input in [":4x2\r\n", ":\r\n", "$abc\r\nxyz\r\n", "*two\r\n", "!oops\r\n", "*1\r\n:1.5\r\n"] {
            var parser = RESPParser()
            let error = #expect(throws: RedisError.self, "\(input.debugDescription)") { try parser.feed(Array(input.utf8)) }
            #expect(error?.code == .protocolError)
        }
    }

    @Test("a command is encoded as an array of bulk strings, lengths in bytes")
    func command() {
        #expect(RESPParser.command(["SUBSCRIBE", "é"]) == Array("*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\né\r\n".utf8))
    }
}
