/// The schema version this build of the code expects: the number of the newest file in
/// `migrations/`. The API reports not ready until the database reaches it (it never migrates);
/// a test keeps this constant equal to the newest file.
public enum Schema {
    /// The newest migration's number.
    public static let expectedVersion = 18
}

/// What the database's schema version means for this build (the readiness check of both executables).
public struct SchemaStatus: Sendable, Equatable {
    /// The newest migration applied.
    public var version: Int
    /// What to do when the schema is behind this build; nil when it is current.
    public var problem: String?

    /// The schema is at least the version this build needs.
    public var isCurrent: Bool { problem == nil }
    /// `ok`, or the problem: the readiness reports' `database` field.
    public var summary: String { problem ?? "ok" }
}

extension Schema {
    /// The database's schema version, read now.
    public static func status(on pool: PostgresPool) async throws -> SchemaStatus {
        let version = try await MigrationRunner.currentVersion(on: pool)
        guard version < expectedVersion else { return SchemaStatus(version: version) }
        return SchemaStatus(version: version,
                            problem: "schema at version \(version), this build needs \(expectedVersion): run `metrics-worker migrate`")
    }
}
