import Hummingbird
import Synchronization

/// Turns "no such route" into 405 with `Allow` when the path exists with other methods (a POST to
/// a GET route, say), as HTTP asks; a path that exists with no method stays 404.
/// The routes are known only once they are all registered, after this middleware: `RouteTable`
/// is filled at the end of `buildRouterAndRoutes`.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = table.methods(forPath: request.uri.path)
            guard !methods.isEmpty, !methods.contains(request.method.rawValue) else { throw error }
            var refusal = APIError(.methodNotAllowed, "\(request.method.rawValue) is not a method of this route (allowed: \(methods.joined(separator: ", ")))")
            refusal.allowedMethods = methods
            throw refusal
        }
    }
}

/// The registered routes (`METHOD /path/{parameter}`), matched against a request path segment by
/// segment; a `{parameter}` segment matches any one segment.
final class RouteTable: Sendable {
    private let routes = Mutex<[(method: String, segments: [Substring])]>([])

    /// Replaces the table with `routes` (`GET /api/v1/metrics/officers/{officer_id}` ...).
    func set(_ list: [String]) {
        let parsed = list.compactMap { route -> (String, [Substring])? in
            let parts = route.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (String(parts[0]), parts[1].split(separator: "/"))
        }
        routes.withLock { $0 = parsed }
    }

    /// The methods registered for `path`, sorted; empty when no route has that path.
    func methods(forPath path: String) -> [String] {
        let segments = path.split(separator: "/")
        let found = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") || $0 == $1 }
            }.map(\.method)
        }
        return Array(Set(found)).sorted()
    }
}
