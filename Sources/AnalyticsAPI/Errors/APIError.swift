import Hummingbird

/// An error the API reports to the client in the envelope of API.md:
/// `{"success": false, "error": {"code", "message", "details"}}` with the matching HTTP status.
///
/// `message` is safe to show (it never holds SQL, a token or a phone number).
struct APIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; each kind has one HTTP status. New kinds may be added.
    struct Kind: Hashable, Sendable {
        let status: HTTPResponse.Status
        let code: String

        /// 400: a bad parameter or body.
        static let badRequest = Kind(status: .badRequest, code: "bad_request")
        /// 401: no token, or an invalid or expired one.
        static let unauthorized = Kind(status: .unauthorized, code: "unauthorized")
        /// 403: the token's role may not do this.
        static let forbidden = Kind(status: .forbidden, code: "forbidden")
        /// 404: unknown officer, branch, member or route (or outside the token's scope).
        static let notFound = Kind(status: .notFound, code: "not_found")
        /// 405: the route exists but not with this method.
        static let methodNotAllowed = Kind(status: .methodNotAllowed, code: "method_not_allowed")
        /// 409: the write conflicts with the current state.
        static let conflict = Kind(status: .conflict, code: "conflict")
        /// 412: `If-Match` names a version that is no longer current.
        static let preconditionFailed = Kind(status: .preconditionFailed, code: "precondition_failed")
        /// 413: the body is over 64 KiB.
        static let payloadTooLarge = Kind(status: .contentTooLarge, code: "payload_too_large")
        /// 415: the body is not `application/json`.
        static let unsupportedMediaType = Kind(status: .unsupportedMediaType, code: "unsupported_media_type")
        /// 422: well-formed but invalid (e.g. an inactive assignee).
        static let unprocessable = Kind(status: .unprocessableContent, code: "unprocessable_entity")
        /// 500: a fault of ours; the log line has the request id.
        static let internalError = Kind(status: .internalServerError, code: "internal_error")
        /// 503: the database is unavailable.
        static let unavailable = Kind(status: .serviceUnavailable, code: "service_unavailable")
    }

    /// The kind (and so the status and code).
    var kind: Kind
    /// A one-line message naming what is wrong and what is allowed.
    var message: String
    /// Optional structured details (e.g. the parameter at fault).
    var details: [ErrorDetail]
    /// For a 405: the methods the route has (the `Allow` header).
    var allowedMethods: [String] = []

    init(_ kind: Kind, _ message: String, details: [ErrorDetail] = []) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    var description: String { "\(kind.code): \(message)" }

    /// A 400 naming a query parameter and what it accepts.
    static func badParameter(_ name: String, _ problem: String) -> APIError {
        APIError(.badRequest, "parameter '\(name)' \(problem)", details: [ErrorDetail(field: name, issue: problem)])
    }

    /// A 400 or 422 naming a body field.
    static func badField(_ name: String, _ problem: String, kind: Kind = .badRequest) -> APIError {
        APIError(kind, "field '\(name)' \(problem)", details: [ErrorDetail(field: name, issue: problem)])
    }
}

/// One entry of an error's `details`.
struct ErrorDetail: Sendable, Equatable {
    /// The parameter, header or body field concerned.
    var field: String
    /// What is wrong with it.
    var issue: String
}
