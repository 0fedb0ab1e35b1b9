import Foundation
import Hummingbird
import NIOCore

/// Reads JSON request bodies: `application/json` only (415), at most 64 KiB (413), well-formed (400).
enum RequestBodyReader {
    /// The largest body accepted, in bytes.
    static let maximumBytes = 64 * 1024

    /// The body decoded as `T`; errors are `APIError`s naming what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingWhitespace().lowercased()
        guard contentType == "application/json" else {
            throw APIError(.unsupportedMediaType, "the body must be sent as Content-Type: application/json")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBytes {
            throw APIError(.payloadTooLarge, "the request body is over 64 KiB")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.payloadTooLarge, "the request body is over 64 KiB")
        }
        if containsNUL(buffer.readableBytesView) {
            throw APIError(.badRequest, "text in the body cannot contain NUL (\\u0000) characters")
        }
        let data = Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badField(key.stringValue, "is required")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError.badField(context.codingPath.map(\.stringValue).joined(separator: "."), "has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError.badField(context.codingPath.map(\.stringValue).joined(separator: "."), "must not be null")
        } catch {
            throw APIError(.badRequest, "the body is not well-formed JSON")
        }
    }

    /// True when the JSON text holds a NUL character, raw or escaped as `\u0000` (PostgreSQL text
    /// cannot store it; found by the schemathesis run). An escaped backslash before `u0000` is text.
    static func containsNUL(_ bytes: some Collection<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == 0 { return true }
            guard byte == UInt8(ascii: "\\") else {
                index = bytes.index(after: index)
                continue
            }
            let escaped = bytes.index(after: index)
            guard escaped != bytes.endIndex else { return false }
            if bytes[escaped] == UInt8(ascii: "u") {
                let digits = bytes[bytes.index(after: escaped)...].prefix(4)
                if digits.count == 4, digits.allSatisfy({ $0 == UInt8(ascii: "0") }) { return true }
            }
            index = bytes.index(after: escaped)
        }
        return false
    }
}
