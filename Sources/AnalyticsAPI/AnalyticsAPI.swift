import AnalyticsStore
import Foundation
import Hummingbird
import Logging

/// `analytics-api`: serves the dashboard. Settings from the environment (see `APIConfiguration`).
@main
enum AnalyticsAPI {
    static func main() async {
        IgnoreSIGPIPE.once()
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "analytics-api")
        logger.logLevel = Logger.Level(rawValue: environment["LOG_LEVEL"] ?? "info") ?? .info
        let configuration: APIConfiguration
        do {
            configuration = try APIConfiguration(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("analytics-api: \(error)\n".utf8))
            exit(64)
        }
        let (app, resources) = buildApplication(configuration: configuration, logger: logger)
        do {
            // runService installs SIGTERM/SIGINT handlers: in-flight requests finish, then it returns.
            try await app.runService()
        } catch {
            logger.error("server stopped", metadata: ["error": "\(error)"])
            await resources.shutdown()
            exit(1)
        }
        await resources.shutdown()
    }
}
