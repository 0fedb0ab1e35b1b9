import AnalyticsLogging
import AnalyticsStore
import Foundation
import Hummingbird
import Logging

/// `analytics-api`: serves the dashboard. Settings from the environment (see `APIConfiguration`).
@main
enum AnalyticsAPI {
    static func main() async {
        if let usage = APIUsage.respond(to: Array(CommandLine.arguments.dropFirst())) {
            let handle = usage.toStandardError ? FileHandle.standardError : FileHandle.standardOutput
            handle.write(Data((usage.text + "\n").utf8))
            exit(usage.exitCode)
        }
        IgnoreSIGPIPE.once()
        let environment = ProcessInfo.processInfo.environment
        let configuration: APIConfiguration
        do {
            configuration = try APIConfiguration(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("analytics-api: \(error)\n".utf8))
            exit(64)
        }
        configuration.log.bootstrap(stream: .standardOutput)
        var logger = Logger(label: "analytics-api")
        logger.logLevel = configuration.log.level
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration: configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("analytics-api: cannot start: \(error)\n".utf8))
            exit(64)
        }
        do {
            // runService installs SIGTERM/SIGINT handlers: the server stops accepting, in-flight
            // requests finish, then the services stop in reverse order (subscriber, Redis, pools,
            // executor), each closing what it owns.
            try await app.runService()
        } catch {
            logger.error("server stopped", metadata: ["error": "\(error)"])
            exit(1)
        }
    }
}
