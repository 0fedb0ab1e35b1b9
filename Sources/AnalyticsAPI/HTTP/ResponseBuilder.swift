import AnalyticsStore
import CompressNIO
import Foundation
import Hummingbird
import NIOCore

/// Turns JSON bodies into responses: the success envelope, `ETag` with `If-None-Match` (304) on
/// GETs, and gzip when the client accepts it and the body is over 1 KiB.
enum ResponseBuilder {
    /// Bodies at or under this size are never compressed.
    static let gzipThreshold = 1024

    /// `{"success":true,"data":<data>[,"meta":<meta>][,"message":<message>]}`.
    static func envelope(data: [UInt8], meta: [UInt8]? = nil, message: String? = nil) -> [UInt8] {
        var writer = JSONWriter(capacity: data.count + (meta?.count ?? 0) + 64)
        writer.raw("{\"success\":true")
        if let message {
            writer.raw(",\"message\":")
            writer.string(message)
        }
        writer.raw(",\"data\":")
        writer.raw(bytes: data)
        if let meta {
            writer.raw(",\"meta\":")
            writer.raw(bytes: meta)
        }
        writer.raw("}")
        return writer.bytes
    }

    /// A JSON response for `request`: 304 when its `If-None-Match` matches (GET only), else the body,
    /// gzipped when accepted and large enough.
    static func json(_ body: [UInt8], status: HTTPResponse.Status = .ok, for request: Request,
                     extraHeaders: HTTPFields = [:]) -> Response {
        let etag = request.method == .get && status == .ok ? etag(of: body) : nil
        return json(ByteBuffer(bytes: body), etag: etag, status: status, for: request, extraHeaders: extraHeaders)
    }

    /// The strong ETag of a body.
    static func etag(of body: [UInt8]) -> String {
        "\"" + String(FNV1a.hash64(body), radix: 16) + "\""
    }

    /// `json` for a body already in a buffer, with its ETag (nil: none).
    static func json(_ body: ByteBuffer, etag: String?, status: HTTPResponse.Status = .ok, for request: Request,
                     extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.vary] = "Accept-Encoding"
        if let etag {
            headers[.eTag] = etag
            headers[.cacheControl] = "private, no-cache"
            if let match = request.headers[.ifNoneMatch], matches(match, etag) {
                return Response(status: .notModified, headers: headers)
            }
        }
        if body.readableBytes > gzipThreshold, acceptsGzip(request.headers[.acceptEncoding]) {
            var input = body
            if let compressed = try? input.compress(with: .gzip()) {
                headers[.contentEncoding] = "gzip"
                return Response(status: status, headers: headers, body: .init(byteBuffer: compressed))
            }
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// True when an `If-None-Match` value names `etag` (or is `*`); weak tags compare equal too.
    static func matches(_ header: String, _ etag: String) -> Bool {
        for part in header.split(separator: ",") {
            var tag = part.trimmingWhitespace()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag == etag { return true }
        }
        return false
    }

    /// True when `Accept-Encoding` lists gzip with a non-zero quality.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingWhitespace() }
            guard let coding = pieces.first, coding.lowercased() == "gzip" || coding == "*" else { continue }
            if pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "q=0" || $0 == "q=0.0" }) {
                return false
            }
            return true
        }
        return false
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
