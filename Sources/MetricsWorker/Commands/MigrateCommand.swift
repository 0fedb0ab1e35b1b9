import AnalyticsStore
import ArgumentParser
import Foundation

/// `metrics-worker migrate`: applies the pending files of `migrations/`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (each in a transaction, under an advisory lock).",
        discussion: "A no-op when nothing is pending. Safe to start from several places at once.")

    @Option(name: .long, help: "Folder of NNNN_*.sql files (default: $MIGRATIONS_DIR, else ./migrations).")
    var migrationsDir: String?

    func run() async throws {
        try await WorkerRuntime.with(label: "metrics-worker.migrate") { runtime in
            do {
                let report = try await Self.migrate(
                    pool: runtime.pool,
                    directory: migrationsDir ?? runtime.configuration.migrationsDirectory)
                if report.applied.isEmpty {
                    print("migrate: schema is at version \(report.version); nothing to apply")
                } else {
                    print("migrate: applied \(report.applied.joined(separator: ", ")); schema is at version \(report.version)")
                }
            } catch {
                throw runtime.fail(error, doing: "migrate")
            }
        }
    }

    /// The work of the command, callable from tests.
    static func migrate(pool: PostgresPool, directory: String) async throws -> MigrationRunner.Report {
        let migrations = try Migration.load(from: directory)
        return try await MigrationRunner(migrations: migrations).run(on: pool)
    }
}
