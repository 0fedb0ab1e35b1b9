import NIOCore
import NIOPosix

/// A bare HTTP/1.1 client on a socket, for what the test clients cannot send: a request body
/// written in many pieces, each flushed on its own, with chunked transfer encoding (no
/// `Content-Length`), as a streaming client or a proxy sends it.
enum RawHTTPClient {
    /// A response: its status and body.
    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    /// Sends `POST path` with `headers` and the body in `pieces`; reads the response until the
    /// server closes (`Connection: close`). A write the server refused (it answered early and
    /// closed) ends the body; the response is still read.
    /// With `hangUpAfter`, the client closes the connection after that many pieces, mid-body, and
    /// reads nothing (nil).
    @discardableResult
    static func post(port: Int, path: String, headers: [(String, String)], pieces: [[UInt8]], chunked: Bool,
                     hangUpAfter: Int? = nil) async throws -> Response? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound -> Response? in
            var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(pieces.reduce(0) { $0 + $1.count })\r\n\r\n"
            do {
                try await outbound.write(ByteBuffer(string: head))
                for (sent, piece) in pieces.enumerated() where !piece.isEmpty {
                    if let hangUpAfter, sent == hangUpAfter {
                        outbound.finish()
                        return nil
                    }
                    if chunked {
                        try await outbound.write(ByteBuffer(string: String(piece.count, radix: 16) + "\r\n"))
                        try await outbound.write(ByteBuffer(bytes: piece + [13, 10]))
                    } else {
                        try await outbound.write(ByteBuffer(bytes: piece))
                    }
                    await Task.yield()
                }
                if chunked { try await outbound.write(ByteBuffer(string: "0\r\n\r\n")) }
            } catch {
                // The server answered before reading everything (a 413) and closed its side.
            }
            var received: [UInt8] = []
            do {
                for try await part in inbound { received += part.readableBytesView }
            } catch {
                // A reset after the response: what arrived is the response.
            }
            return try parse(received)
        }
    }

    /// Splits a raw response into status and body (`Content-Length` or chunked).
    static func parse(_ raw: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.indices.first(where: { raw[$0...].starts(with: separator) }) else {
            throw RawHTTPError(message: "no complete response head in \(raw.count) bytes")
        }
        let head = String(decoding: raw[..<end], as: UTF8.self).split(separator: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw RawHTTPError(message: "bad status line \(head.first ?? "")")
        }
        var body = Array(raw[(end + 4)...])
        if head.contains(where: { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }) {
            var decoded: [UInt8] = []
            var rest = body[...]
            while let lineEnd = rest.indices.first(where: { rest[$0...].starts(with: [13, 10]) }),
                  let size = Int(String(decoding: rest[rest.startIndex..<lineEnd], as: UTF8.self), radix: 16), size > 0 {
                let start = lineEnd + 2
                decoded += rest[start..<(start + size)]
                rest = rest[(start + size + 2)...]
            }
            body = decoded
        }
        return Response(status: status, body: body)
    }
}

/// A response the raw client cannot read.
struct RawHTTPError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
