import Hummingbird

/// Requires a valid bearer token and puts the caller's identity in the context; 401 otherwise.
/// Role checks per route are `context.require(_:)`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let verifier: TokenVerifier

    func handle(_ request: Request, context: APIRequestContext,
                next: (Request, APIRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "a bearer token is required (Authorization: Bearer <token>)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError(.unauthorized, "the Authorization header must be 'Bearer <token>'")
        }
        var context = context
        do {
            context.identity = try await verifier.verify(String(parts[1]))
        } catch {
            throw APIError(.unauthorized, error.reason)
        }
        return try await next(request, context)
    }
}

extension APIRequestContext {
    /// The caller, whose role must include `role` (`Role.includes`); 403 otherwise.
    func require(_ role: Role) throws(APIError) -> Identity {
        let identity = try requireIdentity()
        guard identity.role.includes(role) else {
            let needs = role == .ingest ? "ingest or admin" : "\(role.rawValue) or above"
            throw APIError(.forbidden, "the role '\(identity.role.rawValue)' may not do this (needs \(needs))")
        }
        return identity
    }
}
