import Hummingbird

/// Forwards route registrations to the router and remembers each `METHOD /path`, so a test can
/// check the OpenAPI document against the routes that really exist.
/// Used only while the router is built, on one task.
final class RouteRecorder: RouterMethods {
    typealias Context = APIRequestContext
    private let router: Router<APIRequestContext>
    private(set) var routes: [String] = []

    /// Every route registered so far, as `GET /api/v1/metrics/officers/{officer_id}`, is in `routes`.
    init(router: Router<APIRequestContext>) {
        self.router = router
    }


    @discardableResult
    func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == APIRequestContext {
        routes.append("\(method.rawValue) \(path.description)")
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, APIRequestContext>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}
