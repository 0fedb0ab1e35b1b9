import AnalyticsStore
import Foundation

/// Access to the throwaway servers that `scripts/test.sh` starts for the test run.
///
/// `TEST_DATABASE_URL` points at a superuser connection of a PostgreSQL 15 server and `TEST_REDIS_URL`
/// at a Redis 7 server; `TEST_PG_BIN` is the folder of `initdb`/`pg_ctl` and `TEST_REDIS_SERVER` the
/// `redis-server` binary, for tests that start (and kill) servers of their own. A missing variable is
/// a test failure, never a skip: run the suite through `scripts/test.sh`. `ACTIVEMQ_STOMP_URL` is the
/// STOMP connector of a throwaway ActiveMQ.
public enum TestEnvironment {
    /// A required variable, or an error that says how to run the tests.
    public static func value(_ key: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else {
            throw TestEnvironmentError(message: "\(key) is not set: run the tests with scripts/test.sh, which starts PostgreSQL and Redis")
        }
        return value
    }

    /// The admin database URL.
    public static func databaseURL() throws -> String { try value("TEST_DATABASE_URL") }

    /// The Redis URL.
    public static func redisURL() throws -> String { try value("TEST_REDIS_URL") }

    /// The STOMP URL (`stomp://127.0.0.1:PORT`) of the ActiveMQ broker the test script starts.
    public static func activeMQStompURL() throws -> String { try value("ACTIVEMQ_STOMP_URL") }

    /// The repository root (the folder holding Package.swift), found from this file's path.
    public static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The `migrations/` folder of the repository.
    public static var migrationsDirectory: String { repositoryRoot.appendingPathComponent("migrations").path }
}

/// A test prerequisite that is missing.
public struct TestEnvironmentError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
