/// The schema version this build of the code expects: the number of the newest file in
/// `migrations/`. The API reports not ready until the database reaches it (it never migrates);
/// a test keeps this constant equal to the newest file.
public enum Schema {
    /// The newest migration's number.
    public static let expectedVersion = 10
}

extension Schema {
    /// The database's schema version, and what to do when it is behind this build (nil when it is
    /// not): the readiness check of both executables.
    public static func status(on pool: PostgresPool) async throws -> (version: Int, problem: String?) {
        let version = try await MigrationRunner.currentVersion(on: pool)
        guard version < expectedVersion else { return (version, nil) }
        return (version, "schema at version \(version), this build needs \(expectedVersion): run `metrics-worker migrate`")
    }
}
