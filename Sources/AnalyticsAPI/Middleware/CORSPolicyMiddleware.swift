import Hummingbird

/// CORS for the dashboard: only origins listed in `CORS_ALLOWED_ORIGINS` (none by default) get
/// `Access-Control-Allow-Origin`; preflight `OPTIONS` requests from them get 204.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = "GET, PUT, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id"
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "ETag, X-Request-Id"
        response.headers[.vary] = "Origin, Accept-Encoding"
        return response
    }
}
