import AnalyticsStore
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// The resources a worker command uses: the blocking executor, the database pool(s) and Redis.
/// They exist only inside `WorkerRuntime.with(label:_:)`, which runs them as services around the
/// command's work and closes them when it ends.
struct WorkerRuntime {
    let configuration: WorkerConfiguration
    let executor: BlockingExecutor
    let pool: PostgresPool
    let logger: Logger
    let redis: RedisClient?

    /// The read replica's pool, when DATABASE_READ_URL names another server.
    let replica: PostgresPool?

    /// The job runner over this runtime's pool and Redis.
    var runner: JobRunner { JobRunner(pool: pool, redis: redis, logger: logger, replica: replica) }

    /// Reads the environment (a bad setting prints one line naming the key and exits 64), runs
    /// `body` with the resources, then stops them, whether `body` returned or threw. The runtime
    /// must not escape `body`.
    static func with<R>(label: String, _ body: (WorkerRuntime) async throws -> R) async throws -> R {
        let runtime = try make(label: label)
        return try await ServiceScope.run(runtime.services, logger: runtime.logger) { try await body(runtime) }
    }

    /// Reads the environment (a bad setting prints one line naming the key and exits 64) and
    /// creates the resources without running them: the caller runs `services` in its own
    /// `ServiceGroup` (the daemon). `extraThreads` adds executor threads for pools of the caller's
    /// own on the same executor; `applicationName` is the pool's PostgreSQL `application_name`.
    static func make(label: String, extraThreads: Int = 0, applicationName: String = "metrics-worker") throws -> WorkerRuntime {
        IgnoreSIGPIPE.once()
        let configuration: WorkerConfiguration
        do {
            configuration = try WorkerConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("metrics-worker: \(error)\n".utf8))
            throw ExitCode.usage
        }
        var logger = Logger(label: label)
        logger.logLevel = configuration.logLevel
        // The pool's connections, the replica's one, a spare for cancel requests and file reads.
        let executor = BlockingExecutor(threads: configuration.poolSize + 3 + extraThreads)
        let pool = PostgresPool(configuration: configuration.database, maximumConnections: configuration.poolSize,
                                acquireTimeout: .seconds(30), executor: executor,
                                applicationName: applicationName, logger: logger)
        let redis = configuration.redis.map { RedisClient(configuration: $0, maximumConnections: 2) }
        let replica = configuration.readDatabase.map {
            PostgresPool(configuration: $0, maximumConnections: 1, acquireTimeout: .seconds(10), executor: executor,
                         applicationName: "metrics-worker", logger: logger)
        }
        return WorkerRuntime(configuration: configuration, executor: executor, pool: pool, logger: logger, redis: redis,
                             replica: replica)
    }

    /// The services in start order: the executor first, so it stops after the pools that use it.
    var services: [any Service] {
        var services: [any Service] = [executor, pool]
        if let replica { services.append(replica) }
        if let redis { services.append(redis) }
        return services
    }

    /// Maps an error to the one line a person reads and the exit code.
    func fail(_ error: any Error, doing what: String) -> ExitCode {
        if let error = error as? PostgresError {
            let hint = error.isConnectionProblem ? " (is PostgreSQL running and DATABASE_URL right?)" : ""
            FileHandle.standardError.write(Data("metrics-worker: \(what) failed: \(error.message)\(hint)\n".utf8))
            logger.debug("failure detail", metadata: ["error": "\(error.debugDescription)"])
            return error.isConnectionProblem ? .databaseUnavailable : .jobFailed
        }
        FileHandle.standardError.write(Data("metrics-worker: \(what) failed: \(error)\n".utf8))
        return .jobFailed
    }
}
