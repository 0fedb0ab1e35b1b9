import Hummingbird

/// CORS for the dashboard: only origins listed in `CORS_ALLOWED_ORIGINS` (none by default) get
/// `Access-Control-Allow-Origin`; preflight `OPTIONS` requests from them get 204.
///
/// It is the outermost middleware, so every response gets the headers, errors included: a
/// dashboard must see a 401 for an expired token, not an opaque CORS failure. Errors are normally
/// answered by `RequestLogMiddleware` inside it; one that still arrives here (from any middleware
/// or route) becomes its envelope (`APIError.from(_:)`, 500 when unmapped) and gets the headers too.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        let allowed = request.headers[.origin].flatMap { allowedOrigins.contains($0) ? $0 : nil }
        if let origin = allowed, request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = "GET, PUT, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id"
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try APIError.from(error).response(from: request, context: context)
        }
        if let origin = allowed {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "ETag, X-Request-Id"
            response.headers[.vary] = "Origin, Accept-Encoding"
        }
        return response
    }
}
