import AnalyticsStore

extension PostgresAuditRepository {
    func recordAction(type: String, notes: String?, idempotencyKey: String?, requestHash: String,
                      _ write: AuditWriteContext) async throws -> AuditWriteResult {
        do {
            return try await self.write(write) { connection, current in
                if let idempotencyKey {
                    // An expired key is unused: its row goes first, so the key can be stored again below.
                    try await connection.execute("""
                        DELETE FROM api_idempotency_keys WHERE actor = $1 AND idempotency_key = $2 AND expires_at <= now()
                        """, [write.actor, idempotencyKey])
                    let stored = try await connection.query("""
                        SELECT officer_id, request_hash, response_body FROM api_idempotency_keys
                        WHERE actor = $1 AND idempotency_key = $2
                        """, [write.actor, idempotencyKey])
                    if let row = stored.first {
                        // (A key of POST /api/v1/ingest names no officer: a different request.)
                        guard try row.decode(String?.self, "officer_id") == write.officerID,
                              try row.decode(String.self, "request_hash") == requestHash else {
                            throw APIError(.unprocessable, "Idempotency-Key was already used for a different request",
                                           details: [ErrorDetail(field: "Idempotency-Key", issue: "reused with a different body, officer or scope")])
                        }
                        let body = try IdempotentReplay.body(try row.decode(String.self, "response_body"), maskPhones: write.maskPhones)
                        return AuditWriteResult(data: body, version: current?.version ?? 0)
                    }
                }
                guard current != nil else {
                    throw APIError(.conflict, "the officer has no audit yet: assign a team member first")
                }
                let rows = try await connection.query("""
                    UPDATE audit_tracking SET action_type = $2, action_notes = $3, action_date = now(), version = version + 1
                    WHERE officer_id = $1
                    RETURNING \(Self.auditColumns), \(PostgresMetricsRepository.rfc3339("action_date")) AS acted_at
                    """, [write.officerID, type, notes])
                guard let row = rows.first else { throw APIError(.internalError, "the action returned no row") }
                let updated = try Self.info(row)
                var new = JSONWriter(capacity: 128)
                new.raw("{\"action_type\":")
                new.string(type)
                new.raw(",\"action_notes\":")
                new.string(notes)
                new.raw(",\"version\":\(updated.version)}")
                var old = JSONWriter(capacity: 128)
                old.raw("{\"action_type\":")
                old.string(current?.actionType)
                old.raw(",\"version\":\(current?.version ?? 0)}")
                try await Self.log(connection, write, action: "action", old: old.bytes, new: new.bytes)
                let loans = try await topRiskLoans(connection, write)
                var writer = JSONWriter(capacity: 4096)
                writer.raw("{\"officer_id\":")
                writer.string(write.officerID)
                writer.raw(",\"action_type\":")
                writer.string(type)
                writer.raw(",\"action_date\":")
                writer.string(try row.decode(String.self, "acted_at"))
                writer.raw(",\"version\":\(updated.version),\"top_risk_loans\":")
                writer.raw(bytes: loans)
                writer.raw("}")
                if let idempotencyKey {
                    _ = try await connection.execute("""
                        INSERT INTO api_idempotency_keys
                            (actor, idempotency_key, officer_id, request_hash, status_code, response_body, expires_at)
                        VALUES ($1, $2, $3, $4, 200, $5, now() + make_interval(hours => $6::int))
                        """, [write.actor, idempotencyKey, write.officerID, requestHash, String(decoding: writer.bytes, as: UTF8.self),
                              idempotencyKeyTTLHours])
                }
                return AuditWriteResult(data: writer.bytes, version: updated.version)
            }
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw APIError(.conflict, "a request with this Idempotency-Key is being processed; retry shortly")
        }
    }

    /// The officer's top 20 risk loans (API.md): Active, by `current_dpd` desc, then
    /// `total_outstanding` desc, each with the loan risk score of METRICS.md section 3.
    func topRiskLoans(_ connection: PostgresConnection, _ write: AuditWriteContext) async throws -> [UInt8] {
        let fields: [FieldSpec] = [
            FieldSpec(name: "loan_id", sql: "l.loan_id", kind: .string),
            FieldSpec(name: "customer_name", sql: "l.customer_name", kind: .string),
            FieldSpec(name: "customer_phone", sql: "l.customer_phone", kind: .phone),
            FieldSpec(name: "risk_score", sql: "l.loan_risk_score", kind: .number),
            FieldSpec(name: "current_dpd", sql: "l.current_dpd", kind: .number),
            FieldSpec(name: "dpd_bucket", sql: "l.dpd_bucket", kind: .string),
            FieldSpec(name: "outstanding_balance", sql: "l.total_outstanding", kind: .number),
        ]
        let rows = try await connection.query("""
            SELECT \(fields.map(\.selectItem).joined(separator: ", ")) FROM loans l
            WHERE l.officer_id = $1 AND l.status = 'Active'
              AND ($2::text[] IS NULL OR l.region = ANY($2::text[])) AND ($3::text[] IS NULL OR l.branch = ANY($3::text[]))
            ORDER BY l.current_dpd DESC, l.total_outstanding DESC, l.loan_id LIMIT 20
            """, [write.officerID, write.scope.regions, write.scope.branches])
        var writer = JSONWriter(capacity: 2048)
        writer.raw("[")
        for (i, row) in rows.enumerated() {
            writer.comma(if: i > 0)
            writer.raw("{")
            try row.render(fields, into: &writer, maskPhones: write.maskPhones)
            writer.raw("}")
        }
        writer.raw("]")
        return writer.bytes
    }
}
