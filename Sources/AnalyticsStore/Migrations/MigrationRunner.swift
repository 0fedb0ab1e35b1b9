import Logging

/// Applies pending migrations in order, each in its own transaction, under a PostgreSQL advisory
/// lock so that two copies started at once apply each file exactly once.
public struct MigrationRunner: Sendable {
    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// Migrations applied by this run, in order.
        public var applied: [String]
        /// The schema version after the run.
        public var version: Int
    }

    /// The advisory lock key (the FNV-1a hash of "loan-analytics:migrate", as a signed 64-bit value).
    public static let lockKey = Int64(bitPattern: FNV1a.hash64("loan-analytics:migrate"))

    private let migrations: [Migration]
    private let logger: Logger

    /// Creates a runner for the given migrations (see `Migration.load(from:)`).
    public init(migrations: [Migration], logger: Logger = Logger(label: "analytics.migrate")) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every migration not yet recorded in `schema_migrations`.
    ///
    /// A failing file is rolled back whole and the error names it; files before it stay applied.
    /// A recorded migration whose file has changed since is an error (edit by adding a new file).
    public func run(on pool: PostgresPool) async throws -> Report {
        try await pool.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
            do {
                let report = try await apply(on: connection)
                try await connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey])
                return report
            } catch {
                await connection.releaseAdvisoryLockOrDiscard(Self.lockKey)
                throw error
            }
        }
    }

    /// The highest version recorded in `schema_migrations`, or 0 when the table does not exist.
    public static func currentVersion(on pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { connection in
            // Two statements: a query naming a table that does not exist fails when it is parsed.
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS e")
            guard try exists.first?.decode(Bool.self, "e") == true else { return 0 }
            let rows = try await connection.query("SELECT coalesce(max(version), 0) AS version FROM schema_migrations")
            return try rows.first?.decode(Int.self, "version") ?? 0
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> Report {
        try await connection.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER PRIMARY KEY,
                name        TEXT NOT NULL,
                checksum    TEXT NOT NULL,
                applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """)
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for row in try await connection.query("SELECT version, name, checksum FROM schema_migrations") {
            recorded[try row.decode(Int.self, "version")] = (try row.decode(String.self, "name"), try row.decode(String.self, "checksum"))
        }
        var applied: [String] = []
        for migration in migrations {
            if let existing = recorded[migration.version] {
                guard existing.checksum == migration.checksum else {
                    throw PostgresError(code: .migration, message: "migration \(migration.name) was changed after it was applied (as \(existing.name)); add a new migration instead")
                }
                continue
            }
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            do {
                try await connection.withTransaction { tx in
                    try await tx.executeScript(migration.sql)
                    try await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                                       [migration.version, migration.name, migration.checksum])
                }
            } catch let error as PostgresError {
                var wrapped = error
                wrapped.message = "migration \(migration.name) failed and was rolled back: \(error.message)"
                throw wrapped
            }
            applied.append(migration.name)
        }
        let version = max(migrations.last?.version ?? 0, recorded.keys.max() ?? 0)
        return Report(applied: applied, version: version)
    }
}
