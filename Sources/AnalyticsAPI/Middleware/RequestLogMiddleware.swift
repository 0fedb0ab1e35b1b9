import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost middleware: assigns the request id (echoed in `X-Request-Id`), turns every error
/// into the JSON envelope, records the latency histogram, and writes one log line per request.
///
/// The log line holds the method, the path without its query, the route template, the status, the
/// duration and the caller's `sub`: never a header, a query value or a body, so never a token or a
/// phone number.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: APIMetrics
    let log: RequestLogSink

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        let requestID = RequestID.make(from: request.headers[.xRequestID])
        context.requestID = requestID
        var response: Response
        var failure: (any Error)?
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.kind == .internalError || apiError.kind == .unavailable { failure = error }
            response = apiError.response()
        }
        response.headers[.xRequestID] = requestID
        let duration = ContinuousClock.now - start
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, duration: duration)
        log.request(RequestLogLine(requestID: requestID, method: request.method.rawValue, path: request.uri.path,
                                   route: route, status: response.status.code, duration: duration,
                                   subject: context.logState.subjectValue, error: failure.map(APIError.logSummary(of:))))
        return response
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`.
    static let xRequestID = HTTPField.Name("X-Request-Id")!
    /// `Idempotency-Key`.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
