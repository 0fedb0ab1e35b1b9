import AnalyticsCore
import AnalyticsStore

/// The tenant's offices as the pull last read them (`fineract_offices`, migration 0014): the
/// consumer of Fineract's events places loans with them (FINERACT.md "What the events carry").
enum FineractStoredOffices {
    /// Replaces the stored offices with those just read, in one transaction (a handful of rows).
    static func replace(_ offices: [FineractOffice], on pool: PostgresPool) async throws {
        try await pool.withTransaction { tx in
            try await tx.execute("DELETE FROM fineract_offices WHERE source = $1 AND NOT (office_id = ANY($2::bigint[]))",
                                 [FineractSync.source, offices.map(\.id)])
            try await tx.execute("""
                INSERT INTO fineract_offices (source, office_id, name, hierarchy)
                SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[])
                ON CONFLICT (source, office_id) DO UPDATE SET name = EXCLUDED.name, hierarchy = EXCLUDED.hierarchy
                """, [FineractSync.source, offices.map(\.id), offices.map(\.name), offices.map { $0.hierarchy ?? "." }])
        }
    }

    /// The stored offices.
    static func read(on pool: PostgresPool) async throws -> [FineractOffice] {
        try await pool.query("SELECT office_id, name, hierarchy FROM fineract_offices WHERE source = $1 ORDER BY office_id",
                             [FineractSync.source]).map {
            FineractOffice(id: try $0.decode(Int64.self, "office_id"), name: try $0.decode(String.self, "name"),
                           hierarchy: try $0.decode(String?.self, "hierarchy"))
        }
    }
}
