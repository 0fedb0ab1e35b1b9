import AnalyticsStore

extension PostgresAuditRepository {
    /// The audit fields of a row as a JSON object for `audit_log` (null: no row yet).
    static func snapshot(_ info: AuditInfo?) -> [UInt8] {
        info?.object(AuditInfo.snapshotFields) ?? Array("null".utf8)
    }

    /// Runs an `audit_tracking` upsert that returns `auditColumns` (and whatever else the response
    /// needs), logs the fields before and after it as `action`, and returns the row and the new fields.
    static func upsert(_ connection: PostgresConnection, _ write: AuditWriteContext, current: AuditInfo?, action: String,
                       _ sql: String, _ bindings: PostgresBindings) async throws -> (row: PostgresRow, updated: AuditInfo) {
        guard let row = try await connection.query(sql, bindings).first else {
            throw APIError(.internalError, "the \(action) update of officer '\(write.officerID)' returned no row")
        }
        let updated = try info(row)
        try await log(connection, write, action: action, old: snapshot(current), new: snapshot(updated))
        return (row, updated)
    }

    func assign(memberID: String, memberName: String?, _ write: AuditWriteContext) async throws -> AuditWriteResult {
        try await self.write(write) { connection, current in
            let members = try await connection.query(
                "SELECT member_name, is_active FROM team_members WHERE member_id = $1", [memberID])
            guard let member = members.first else { throw APIError(.notFound, "no team member '\(memberID)'") }
            let name = try member.decode(String.self, "member_name")
            guard try member.decode(Bool.self, "is_active") else {
                throw APIError.badField("assignee_id", "names an inactive team member", kind: .unprocessable)
            }
            if let memberName, memberName != name {
                throw APIError.badField("assignee_name", "does not match the team member's name '\(name)'", kind: .unprocessable)
            }
            let (row, updated) = try await Self.upsert(connection, write, current: current, action: "assignee", """
                INSERT INTO audit_tracking (officer_id, assignee_id, assignee_name, assigned_date, audit_status, version)
                VALUES ($1, $2, $3, now(), 'Assigned', 1)
                ON CONFLICT (officer_id) DO UPDATE SET assignee_id = EXCLUDED.assignee_id,
                    assignee_name = EXCLUDED.assignee_name, assigned_date = EXCLUDED.assigned_date,
                    audit_status = 'Assigned', version = audit_tracking.version + 1
                RETURNING \(Self.auditColumns), \(PostgresMetricsRepository.rfc3339("assigned_date")) AS assigned_at
                """, [write.officerID, memberID, name])
            var writer = JSONWriter(capacity: 256)
            writer.raw("{\"officer_id\":")
            writer.string(write.officerID)
            writer.raw(",\"assignee_id\":")
            writer.string(memberID)
            writer.raw(",\"assignee_name\":")
            writer.string(name)
            writer.raw(",\"audit_status\":\"Assigned\",\"assigned_date\":")
            writer.string(try row.decode(String.self, "assigned_at"))
            writer.raw(",\"version\":\(updated.version)}")
            return AuditWriteResult(data: writer.bytes, version: updated.version)
        }
    }

    func changeStatus(_ status: AuditStatus, notes: String?, _ write: AuditWriteContext) async throws -> AuditWriteResult {
        try await self.write(write) { connection, current in
            if status != .assigned, current?.assigneeID == nil {
                throw APIError(.conflict, "'\(status.rawValue)' needs an assignee: assign a team member first")
            }
            let (row, updated) = try await Self.upsert(connection, write, current: current, action: "status", """
                INSERT INTO audit_tracking (officer_id, audit_status, status_changed_date, last_audit_date, audit_notes, version)
                VALUES ($1, $2, now(), (now() AT TIME ZONE $4)::date, $3, 1)
                ON CONFLICT (officer_id) DO UPDATE SET audit_status = EXCLUDED.audit_status,
                    status_changed_date = EXCLUDED.status_changed_date, last_audit_date = EXCLUDED.last_audit_date,
                    audit_notes = COALESCE(EXCLUDED.audit_notes, audit_tracking.audit_notes),
                    version = audit_tracking.version + 1
                RETURNING \(Self.auditColumns), \(PostgresMetricsRepository.rfc3339("status_changed_date")) AS changed_at
                """, [write.officerID, status.rawValue, notes, timeZone])
            var writer = JSONWriter(capacity: 256)
            writer.raw("{\"officer_id\":")
            writer.string(write.officerID)
            writer.raw(",\"audit_status\":")
            writer.string(status.rawValue)
            writer.raw(",\"last_audit_date\":")
            writer.string(updated.lastAuditDate)
            writer.raw(",\"status_changed_date\":")
            writer.string(try row.decode(String.self, "changed_at"))
            writer.raw(",\"version\":\(updated.version)}")
            return AuditWriteResult(data: writer.bytes, version: updated.version)
        }
    }
}
