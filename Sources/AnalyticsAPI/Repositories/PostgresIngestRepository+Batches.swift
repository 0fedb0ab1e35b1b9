import AnalyticsStore

extension PostgresIngestRepository {
    func batch(id: String) async throws -> IngestBatchInfo? {
        let rows = try await pool.query("""
            SELECT subject, status, accepted, rejected FROM ingest_batches WHERE batch_id = $1::uuid
            """, [id])
        guard let row = rows.first else { return nil }
        return IngestBatchInfo(subject: try row.decode(String.self, "subject"), status: try row.decode(String.self, "status"),
                               accepted: try row.decode(Int.self, "accepted"), rejected: try row.decode(Int.self, "rejected"))
    }

    func rejects(batchID: String, page: Int, perPage: Int) async throws -> (rows: [[UInt8]], total: Int) {
        let source = IngestSourceName.api(batchID: batchID)
        let total = try await pool.query("SELECT count(*)::int AS n FROM etl_rejects WHERE source = $1", [source])[0]
            .decode(Int.self, "n")
        let rows = try await pool.query("""
            SELECT record_index, location, entity_type, entity_id, reasons::text AS reasons FROM etl_rejects
            WHERE source = $1 ORDER BY record_index, reject_id LIMIT $2 OFFSET $3
            """, [source, perPage, (page - 1) * perPage])
        return (try rows.map { row in
            IngestResponse.reject(index: try row.decode(Int?.self, "record_index"), location: try row.decode(String.self, "location"),
                                      kind: try row.decode(String?.self, "entity_type"), id: try row.decode(String?.self, "entity_id"),
                                      reasonsJSON: try row.decode(String.self, "reasons"))
        }, total)
    }
}
