@testable import AnalyticsAPI
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// A primary and a streaming standby of a test's own, the fixture computed on the primary at some of
/// its dates, and the API wired as in production with `DATABASE_READ_URL` naming the standby: metric
/// reads on the standby's copy of the database, audit data and writes on the primary.
struct ReplicaSetup: Sendable {
    let primary: LocalPostgres
    let standby: LocalStandby
    /// The fixture database, on the primary (its pool is the API's primary pool).
    let database: TestDatabase
    /// The API's read pool: the same database on the standby.
    let replicaPool: PostgresPool
    let app: TestApp

    /// Starts the servers, computes the fixture at `dates` on the primary, waits until the standby
    /// has it, runs `body`, then closes and stops everything (awaited), whatever `body` did.
    static func with<R>(dates: [String], replicaLagInterval: Duration = ReplicaLagMonitor.defaultInterval,
                        _ body: (ReplicaSetup) async throws -> R) async throws -> R {
        try await LocalPostgres.with(durable: false) { primary in
            try await LocalStandby.with(following: primary) { standby in
                try await FixtureDatabase.create(poolSize: 8, serverURL: primary.url, acquireTimeout: .seconds(5), dates: dates).using { db in
                    try await standby.waitForReplay(of: db.pool)
                    let executor = BlockingExecutor(threads: 10)
                    let replicaPool = PostgresPool(configuration: try PostgresConfiguration(url: try standby.url(database: db.name)),
                                                   maximumConnections: 8, acquireTimeout: .seconds(5), executor: executor,
                                                   applicationName: "analytics-api-read")
                    let value: R
                    do {
                        let app = try await TestApp.make(database: db, read: replicaPool, replicaLagInterval: replicaLagInterval)
                        value = try await body(ReplicaSetup(primary: primary, standby: standby, database: db,
                                                            replicaPool: replicaPool, app: app))
                    } catch {
                        await Self.close(replicaPool, executor)
                        throw error
                    }
                    await Self.close(replicaPool, executor)
                    return value
                }
            }
        }
    }

    private static func close(_ pool: PostgresPool, _ executor: BlockingExecutor) async {
        pool.shutdown()
        // Runs after the closes queued above (one FIFO queue), so they are not cancelled.
        _ = try? await executor.run {}
        try? await executor.shutdown()
    }

    /// Runs `metrics-worker` with `arguments` against the primary's database.
    func worker(_ arguments: [String]) async throws {
        try await FixtureDatabase.runWorker(arguments, database: database)
    }

    /// The date the primary itself serves (straight from its database, not through the API).
    func primaryServedDate() async throws -> String? {
        try await database.pool.query(
            "SELECT calculation_date::text AS d FROM officer_metrics_served_dates ORDER BY calculation_date DESC LIMIT 1"
        ).first?.decode(String.self, "d")
    }

    /// The officer rows of `date` on the standby (straight from its database).
    func standbyOfficerRows(_ date: String) async throws -> Int {
        try await replicaPool.query("SELECT count(*) AS n FROM officer_metrics_daily WHERE calculation_date = $1::date",
                                    [date])[0].decode(Int.self, "n")
    }

    /// The sum of the samples of `/metrics` whose line starts with `name`.
    static func metric(_ client: some TestClientProtocol, _ name: String) async throws -> Double {
        let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        return text.split(separator: "\n").filter { $0.hasPrefix(name) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }
}
