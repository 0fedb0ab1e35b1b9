import AnalyticsStore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The daemon's small HTTP server: `GET /metrics` (Prometheus text), `/health` (the process is up)
/// and `/ready` (the database answers at the schema version this build needs). No token: bind it
/// to loopback, or to a pod address the NetworkPolicy restricts.
enum MetricsServer {
    /// The server as a service, listening on `host:port` (port 0: a free port, logged as
    /// `metrics_listening` with the port chosen).
    static func make(host: String, port: Int, metrics: DaemonMetrics, probePool: PostgresPool,
                     logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        let log = PhaseLog(job: "daemon")
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }
        router.get("/health") { _, _ -> Response in
            json(.ok, Data(#"{"status":"ok"}"#.utf8))
        }
        router.get("/ready") { _, _ -> Response in
            let report = await DaemonReadiness.check(pool: probePool, leaseHeld: metrics.isLeaseHeld, log: log)
            return json(report.ready ? .ok : .serviceUnavailable, try JSONEncoder().encode(report))
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "metrics-worker-daemon"),
            onServerRunning: { channel in
                log.log("metrics_listening", ["address": host, "port": channel.localAddress?.port ?? port,
                                              "paths": "/metrics /health /ready"])
            },
            logger: logger)
    }

    private static func json(_ status: HTTPResponse.Status, _ body: Data) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
