import Foundation

/// One numbered SQL file of `migrations/`, named `NNNN_description.sql`.
public struct Migration: Sendable, Equatable {
    /// The number at the start of the file name.
    public let version: Int
    /// The file name.
    public let name: String
    /// The SQL text.
    public let sql: String
    /// A checksum of the SQL (FNV-1a 64, hex), recorded when applied so later edits are detected.
    public let checksum: String

    /// Creates a migration from a file's name and contents.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = String(FNV1a.hash64(Array(sql.utf8)), radix: 16)
    }

    /// Reads every `NNNN_*.sql` file of `directory`, in version order.
    ///
    /// Throws `.migration` when the directory is missing, a `.sql` file name does not start with a
    /// number, or two files share a version.
    public static func load(from directory: String) throws -> [Migration] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PostgresError(code: .migration,
                                message: "migrations directory '\(directory)' does not exist (set MIGRATIONS_DIR or --migrations-dir)")
        }
        var migrations: [Migration] = []
        for file in try manager.contentsOfDirectory(atPath: directory).sorted() where file.hasSuffix(".sql") {
            guard let version = Int(file.prefix { $0.isNumber }) else {
                throw PostgresError(code: .migration, message: "migration file '\(file)' must start with its number, e.g. 0001_tables.sql")
            }
            let sql = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            migrations.append(Migration(version: version, name: file, sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw PostgresError(code: .migration, message: "migrations '\(a.name)' and '\(b.name)' have the same number")
        }
        return migrations
    }
}
