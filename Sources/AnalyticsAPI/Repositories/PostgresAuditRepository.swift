import AnalyticsStore

/// `AuditRepository` on the primary.
struct PostgresAuditRepository: AuditRepository {
    /// The primary pool (audit data is never read from a replica).
    let pool: PostgresPool
    /// The business time zone (`ANALYTICS_TIMEZONE`) for `last_audit_date`.
    let timeZone: String
    /// How long an `Idempotency-Key` and its stored response are kept (`IDEMPOTENCY_KEY_TTL_HOURS`);
    /// after that the key is unused again and `archive-old-data` deletes the row.
    var idempotencyKeyTTLHours = PostgresAuditRepository.defaultIdempotencyKeyTTLHours

    /// 24 hours, as payment APIs keep their idempotency keys: long enough for any client retry.
    static let defaultIdempotencyKeyTTLHours = 24

    static let auditColumns = """
        assignee_id, assignee_name, audit_status, last_audit_date::text AS last_audit_date, audit_notes,
        action_type, \(PostgresMetricsRepository.rfc3339("action_date")) AS action_date, version
        """

    static func info(_ row: PostgresRow) throws -> AuditInfo {
        AuditInfo(assigneeID: try row.decode(String?.self, "assignee_id"), assigneeName: try row.decode(String?.self, "assignee_name"),
                  auditStatus: try row.decode(String?.self, "audit_status"), lastAuditDate: try row.decode(String?.self, "last_audit_date"),
                  auditNotes: try row.decode(String?.self, "audit_notes"), actionType: try row.decode(String?.self, "action_type"),
                  actionDate: try row.decode(String?.self, "action_date"), version: try row.decode(Int.self, "version"))
    }

    func auditInfo(officerIDs: [String]) async throws -> [String: AuditInfo] {
        guard !officerIDs.isEmpty else { return [:] }
        let rows = try await pool.query(
            "SELECT officer_id, \(Self.auditColumns) FROM audit_tracking WHERE officer_id = ANY($1::text[])", [officerIDs])
        var result: [String: AuditInfo] = [:]
        for row in rows { result[try row.decode(String.self, "officer_id")] = try Self.info(row) }
        return result
    }

    func officerVisible(id: String, scope: AccessScope) async throws -> Bool {
        try await pool.query("""
            SELECT 1 AS found FROM officers WHERE officer_id = $1
              AND ($2::text[] IS NULL OR region = ANY($2::text[])) AND ($3::text[] IS NULL OR branch = ANY($3::text[]))
            """, [id, scope.regions, scope.branches]).count == 1
    }

    func teamMembers(activeOnly: Bool?) async throws -> [UInt8] {
        let rows = try await pool.query("""
            SELECT member_id, member_name, role, department, is_active FROM team_members
            WHERE ($1::boolean IS NULL OR is_active = $1::boolean) ORDER BY member_id
            """, [activeOnly])
        var writer = JSONWriter(capacity: 1024)
        writer.raw("[")
        for (i, row) in rows.enumerated() {
            writer.comma(if: i > 0)
            writer.raw("{\"member_id\":")
            writer.string(try row.decode(String.self, "member_id"))
            writer.raw(",\"member_name\":")
            writer.string(try row.decode(String.self, "member_name"))
            writer.raw(",\"role\":")
            writer.string(try row.decode(String?.self, "role"))
            writer.raw(",\"department\":")
            writer.string(try row.decode(String?.self, "department"))
            writer.raw(",\"is_active\":\(try row.decode(Bool.self, "is_active"))}")
        }
        writer.raw("]")
        return writer.bytes
    }

    func history(officerID: String, page: Int, perPage: Int) async throws -> RenderedPage {
        try await pool.withConnection { connection in
            let rows = try await connection.query("""
                SELECT log_id, actor, action, old_value::text AS old_value, new_value::text AS new_value, request_id,
                       \(PostgresMetricsRepository.rfc3339("created_at")) AS created_at
                FROM audit_log WHERE officer_id = $1 ORDER BY log_id DESC LIMIT $2::bigint OFFSET $3::bigint
                """, [officerID, perPage, (page - 1) * perPage])
            let total = try await connection.query("SELECT count(*) AS total FROM audit_log WHERE officer_id = $1", [officerID])
                .first?.decode(Int.self, "total") ?? 0
            var result: [RenderedRow] = []
            for row in rows {
                var writer = JSONWriter(capacity: 256)
                writer.raw("{\"log_id\":\(try row.decode(Int64.self, "log_id")),\"officer_id\":")
                writer.string(officerID)
                writer.raw(",\"actor\":")
                writer.string(try row.decode(String.self, "actor"))
                writer.raw(",\"action\":")
                writer.string(try row.decode(String.self, "action"))
                writer.raw(",\"old_value\":")
                writer.raw(try row.decode(String?.self, "old_value") ?? "null")
                writer.raw(",\"new_value\":")
                writer.raw(try row.decode(String?.self, "new_value") ?? "null")
                writer.raw(",\"request_id\":")
                writer.string(try row.decode(String?.self, "request_id"))
                writer.raw(",\"created_at\":")
                writer.string(try row.decode(String.self, "created_at"))
                result.append(RenderedRow(id: officerID, fragment: writer.bytes))
            }
            return RenderedPage(rows: result, total: total)
        }
    }

    /// Runs `body` in a transaction serialized per officer, after the scope and `If-Match` checks;
    /// `body` gets the current audit row (nil: none) and returns the result.
    func write(_ write: AuditWriteContext,
               _ body: (PostgresConnection, AuditInfo?) async throws -> AuditWriteResult) async throws -> AuditWriteResult {
        try await pool.withTransaction { connection in
            // One writer per officer at a time: concurrent writes queue here instead of losing updates.
            _ = try await connection.query("SELECT pg_advisory_xact_lock(7305, hashtext($1))", [write.officerID])
            let visible = try await connection.query("""
                SELECT 1 AS found FROM officers WHERE officer_id = $1
                  AND ($2::text[] IS NULL OR region = ANY($2::text[])) AND ($3::text[] IS NULL OR branch = ANY($3::text[]))
                """, [write.officerID, write.scope.regions, write.scope.branches])
            guard visible.count == 1 else { throw APIError(.notFound, "no officer '\(write.officerID)'") }
            let rows = try await connection.query(
                "SELECT \(Self.auditColumns) FROM audit_tracking WHERE officer_id = $1 FOR UPDATE", [write.officerID])
            let current = try rows.first.map(Self.info)
            let version = current?.version ?? 0
            if let expected = write.expectedVersion, expected != version {
                throw APIError(.preconditionFailed, "If-Match names version \(expected) but the current version is \(version)",
                               details: [ErrorDetail(field: "If-Match", issue: "current version is \(version)")])
            }
            return try await body(connection, current)
        }
    }

    /// Appends one `audit_log` row.
    static func log(_ connection: PostgresConnection, _ write: AuditWriteContext, action: String,
                    old: [UInt8], new: [UInt8]) async throws {
        _ = try await connection.execute("""
            INSERT INTO audit_log (officer_id, actor, action, old_value, new_value, request_id)
            VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)
            """, [write.officerID, write.actor, action, String(decoding: old, as: UTF8.self),
                  String(decoding: new, as: UTF8.self), write.requestID])
    }
}
