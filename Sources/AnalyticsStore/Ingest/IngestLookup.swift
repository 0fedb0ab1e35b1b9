import AnalyticsCore

/// Reads what a chunk's validation needs from the database (`IngestKnownRows`): which of the loans
/// its repayments name exist and, for a scoped sender, where the rows it names are. Every id
/// travels as a bound array parameter.
enum IngestLookup {
    /// The known rows for `references`; `skippingLoans` are loans of the chunk being written (they
    /// count as existing once it commits, so they are not looked up).
    static func rows(_ references: IngestReferences, skippingLoans: Set<String>, on connection: PostgresConnection) async throws -> IngestKnownRows {
        var known = IngestKnownRows()
        let loans = references.repaymentLoanIDs.subtracting(skippingLoans)
        if !loans.isEmpty {
            let rows = try await connection.query("SELECT loan_id FROM loan_accounts WHERE loan_id = ANY($1)", [Array(loans)])
            known.loanIDs = Set(try rows.map { try $0.decode(String.self, "loan_id") })
        }
        let placedLoans = references.loanIDs.union(references.repaymentLoanIDs)
        if !references.loanIDs.isEmpty || !references.officerIDs.isEmpty || !references.customerIDs.isEmpty || !references.repaymentIDs.isEmpty {
            known.loanPlacements = try await placements(
                "SELECT loan_id AS id, region, branch FROM loan_accounts WHERE loan_id = ANY($1)", placedLoans, connection)
            known.officerPlacements = try await placements(
                "SELECT officer_id AS id, region, branch FROM officers WHERE officer_id = ANY($1)", references.officerIDs, connection)
            known.repaymentPlacements = try await placements("""
                SELECT r.repayment_id AS id, a.region, a.branch FROM repayments r JOIN loan_accounts a ON a.loan_id = r.loan_id
                WHERE r.repayment_id = ANY($1)
                """, references.repaymentIDs, connection)
            if !references.customerIDs.isEmpty {
                let rows = try await connection.query("""
                    SELECT DISTINCT customer_id AS id, region, branch FROM loan_accounts WHERE customer_id = ANY($1)
                    """, [Array(references.customerIDs)])
                for row in rows {
                    known.customerPlacements[try row.decode(String.self, "id"), default: []].insert(try placement(row))
                }
            }
        }
        return known
    }

    private static func placements(_ sql: String, _ ids: Set<String>, _ connection: PostgresConnection) async throws -> [String: IngestPlacement] {
        guard !ids.isEmpty else { return [:] }
        var result: [String: IngestPlacement] = [:]
        for row in try await connection.query(sql, [Array(ids)]) {
            result[try row.decode(String.self, "id")] = try placement(row)
        }
        return result
    }

    private static func placement(_ row: PostgresRow) throws -> IngestPlacement {
        IngestPlacement(region: try row.decode(String.self, "region"), branch: try row.decode(String.self, "branch"))
    }
}
