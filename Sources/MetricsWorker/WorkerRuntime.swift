import AnalyticsStore
import ArgumentParser
import Foundation
import Logging

/// The resources a worker command uses: the blocking executor and the database pool.
/// Created per command run and shut down at its end.
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

    /// Reads the environment; a bad setting prints one line naming the key and exits 64.
    static func start(label: String) throws -> WorkerRuntime {
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
        let executor = BlockingExecutor(threads: configuration.poolSize + 2)
        let pool = PostgresPool(configuration: configuration.database, maximumConnections: configuration.poolSize,
                                acquireTimeout: .seconds(30), executor: executor,
                                applicationName: "metrics-worker", logger: logger)
        let redis = configuration.redis.map { RedisClient(configuration: $0, executor: executor) }
        let replica = configuration.readDatabase.map {
            PostgresPool(configuration: $0, maximumConnections: 1, acquireTimeout: .seconds(10), executor: executor,
                         applicationName: "metrics-worker", logger: logger)
        }
        return WorkerRuntime(configuration: configuration, executor: executor, pool: pool, logger: logger, redis: redis,
                             replica: replica)
    }

    func shutdown() async {
        pool.shutdown()
        replica?.shutdown()
        redis?.shutdown()
        try? await executor.shutdown()
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
