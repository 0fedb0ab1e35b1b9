import Hummingbird
import Logging
import Synchronization

/// The per-request context: Hummingbird's core storage plus the request id and the caller's
/// verified identity (set by `AuthMiddleware`).
struct APIRequestContext: RequestContext {
    /// Hummingbird's storage (logger, endpoint path, route parameters).
    var coreContext: CoreRequestContextStorage
    /// The request id: the client's `X-Request-Id` when it is sane, else a new one.
    var requestID: String = ""
    /// The caller, once authenticated.
    var identity: Identity? {
        didSet { logState.subject.withLock { $0 = identity?.subject } }
    }
    /// Shared by every copy of this context, so the outermost middleware can log the caller.
    let logState = RequestLogState()

    init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The caller; throws 401 when the route ran without authentication (a wiring fault).
    func requireIdentity() throws(APIError) -> Identity {
        guard let identity else { throw APIError(.unauthorized, "a bearer token is required") }
        return identity
    }
}

/// What the request log line learns while the request runs (the context is a value; this is not).
final class RequestLogState: Sendable {
    /// The authenticated caller's `sub`.
    let subject = Mutex<String?>(nil)

    /// The caller's `sub`, if the request was authenticated.
    var subjectValue: String? { subject.withLock { $0 } }
}
