import AnalyticsStore
import Hummingbird
import NIOCore

/// Hummingbird turns a thrown `APIError` into its envelope wherever it escapes; the middlewares
/// map every other error with `APIError.from(_:)` first.
extension APIError: HTTPResponseError {
    /// The kind's HTTP status.
    var status: HTTPResponse.Status { kind.status }

    /// The envelope of API.md.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }
}

extension APIError {
    /// The error envelope of API.md.
    var body: [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.raw("{\"success\":false,\"error\":{\"code\":")
        writer.string(kind.code)
        writer.raw(",\"message\":")
        writer.string(message)
        writer.raw(",\"details\":[")
        for (i, detail) in details.enumerated() {
            writer.comma(if: i > 0)
            writer.raw("{\"field\":")
            writer.string(detail.field)
            writer.raw(",\"issue\":")
            writer.string(detail.issue)
            writer.raw("}")
        }
        writer.raw("]}}")
        return writer.bytes
    }

    /// The error as a response (the envelope of API.md with the kind's status).
    func response(extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        if kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if !allowedMethods.isEmpty { headers[.allow] = allowedMethods.joined(separator: ", ") }
        return Response(status: kind.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Maps any error thrown while handling a request to the error the client sees. Unknown errors
    /// become 500 (the caller logs them with the request id).
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as PostgresError where error.isConnectionProblem || error.code == .poolTimeout || error.code == .poolClosed:
            return APIError(.unavailable, "the database is unavailable; try again shortly")
        case let error as HTTPError:
            switch error.status {
            case .notFound: return APIError(.notFound, "no such route")
            case .methodNotAllowed: return APIError(.methodNotAllowed, "this route does not accept this method")
            case .contentTooLarge: return APIError(.payloadTooLarge, "the request body is over 64 KiB")
            case .badRequest: return APIError(.badRequest, error.body ?? "bad request")
            case .unsupportedMediaType: return APIError(.unsupportedMediaType, "the body must be application/json")
            default:
                return APIError(Kind(status: error.status, code: "http_\(error.status.code)"), error.body ?? error.status.reasonPhrase)
            }
        default:
            return APIError(.internalError, "an internal error occurred; quote the request id when reporting it")
        }
    }
}
