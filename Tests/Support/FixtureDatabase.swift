import AnalyticsStore
import Foundation

/// A database holding `shared/fixtures/small` loaded and computed the way production does it:
/// `metrics-worker ingest input.json`, then `metrics-worker full-refresh --as-of D` for each of the
/// fixture's dates (2024-10-10, 2024-10-17, 2024-11-01), run as the real program.
///
/// Afterwards `officer_metrics_daily` and `branch_metrics_daily` hold the rows of all three dates,
/// `loans` holds the loan states as of the last date (2024-11-01), and the audit tables are empty.
public enum FixtureDatabase {
    /// The fixture's as-of dates, in the order they are computed.
    public static let dates = ["2024-10-10", "2024-10-17", "2024-11-01"]

    /// The `shared/fixtures` folder: `ANALYTICS_FIXTURES_DIR`, or found by walking up from the
    /// repository to a folder that has `shared/fixtures`.
    public static var fixturesDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["ANALYTICS_FIXTURES_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var url = TestEnvironment.repositoryRoot
        while url.path != "/" {
            let candidate = url.appendingPathComponent("shared/fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            url.deleteLastPathComponent()
        }
        return TestEnvironment.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }

    /// A new migrated database with the fixture ingested and computed at every fixture date (or at
    /// `dates` only, a prefix of `FixtureDatabase.dates`, for tests that compute the next one).
    public static func create(poolSize: Int = 4, redisURL: String? = nil, serverURL: String? = nil,
                              acquireTimeout: Duration = .seconds(10), dates: [String] = dates) async throws -> TestDatabase {
        let database = try await TestDatabase.create(migrated: true, poolSize: poolSize, acquireTimeout: acquireTimeout,
                                                     serverURL: serverURL)
        do {
            let input = fixturesDirectory.appendingPathComponent("small/input.json").path
            try await runWorker(["ingest", input], database: database, redisURL: redisURL)
            for date in dates {
                try await runWorker(["full-refresh", "--as-of", date], database: database, redisURL: redisURL)
            }
            return database
        } catch {
            await database.drop()
            throw error
        }
    }

    /// A fixture database (as `create`) for the duration of `body`, dropped afterwards (awaited),
    /// whether `body` returned or threw.
    public static func with<R>(poolSize: Int = 4, redisURL: String? = nil, _ body: (TestDatabase) async throws -> R) async throws -> R {
        try await create(poolSize: poolSize, redisURL: redisURL).using(body)
    }

    /// Runs `metrics-worker` with `arguments` against `database` and returns its output; throws
    /// with the output when it exits non-zero.
    @discardableResult
    public static func runWorker(_ arguments: [String], database: TestDatabase, redisURL: String? = nil) async throws -> String {
        let binary = try TestEnvironment.value("TEST_WORKER_BIN")
        var environment = ["DATABASE_URL": database.configuration.url, "LOG_LEVEL": "warning"]
        if let redisURL { environment["REDIS_URL"] = redisURL }
        let result = try await ProcessRunner.run(binary, arguments, environment: environment)
        guard result.status == 0 else {
            throw TestEnvironmentError(message: "metrics-worker \(arguments.joined(separator: " ")) exited \(result.status): \(result.output)")
        }
        return result.output
    }
}
