import AnalyticsStore
import Foundation
import Hummingbird
import NIOCore

/// `/health` (the process is up) and `/ready` (the database answers at the expected schema version;
/// Redis down makes it degraded but still ready, since reads fall back to PostgreSQL).
struct HealthController: Sendable {
    let readiness: any ReadinessProbe

    func addRoutes(to router: some RouterMethods<some RequestContext>) {
        router.get("/health") { _, _ in
            HealthResponse(status: "ok")
        }
        router.get("/ready") { _, _ -> Response in
            let report = await readiness.check()
            let body = try JSONEncoder().encode(report)
            return Response(status: report.ready ? .ok : .serviceUnavailable,
                            headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}

struct HealthResponse: ResponseCodable {
    var status: String
}
