import AnalyticsCore
import AnalyticsStore
import Foundation

extension PostgresMetricsRepository {
    /// The date the loan states are as of and when they were last written (`loan_states_date`, one
    /// row written with every state write; states only move forward, a backfill leaves them alone).
    func loanStatesFreshness() async throws -> Freshness? {
        let rows = try await pool.query("SELECT as_of, \(Self.rfc3339("written_at")) AS written_at FROM loan_states_date")
        return try rows.first.map { Freshness(date: try $0.decode(CalendarDate.self, "as_of"),
                                              calculatedAt: try $0.decode(String?.self, "written_at")) }
    }

    /// Loans that exist as of their last refresh (METRICS.md section 1), filtered; keyset order is
    /// `loan_id` in the database collation, so the primary key index serves it.
    func drilldown(_ query: DrilldownQuery) async throws -> RenderedPage {
        // Only the filters in use go into the statement (constant fragments, bound values), so the
        // planner has little to do and always sees the keyset condition on the primary key.
        var conditions = ["l.computed_as_of IS NOT NULL", "l.status <> 'Cancelled'", "l.disbursement_date <= l.computed_as_of"]
        var bindings: PostgresBindings = []
        func add(_ fragment: String, _ value: any PostgresEncodable) {
            bindings.append(value)
            conditions.append(fragment.replacingOccurrences(of: "$?", with: "$\(bindings.count)"))
        }
        if let regions = query.scope.regions { add("l.region = ANY($?::text[])", regions) }
        if let branches = query.scope.branches { add("l.branch = ANY($?::text[])", branches) }
        if let region = query.region { add("l.region = $?::text", region) }
        if let branch = query.branch { add("l.branch = $?::text", branch) }
        if let officer = query.officerID { add("l.officer_id = $?::text", officer) }
        if let from = query.disbursedFrom { add("l.disbursement_date >= $?::date", from) }
        if let to = query.disbursedTo { add("l.disbursement_date <= $?::date", to) }
        if let tagged = query.fimrTagged { add("l.fimr_tagged = $?::boolean", tagged) }
        if let tagged = query.earlyIndicatorTagged { add("l.early_indicator_tagged = $?::boolean", tagged) }
        let countBindings = bindings
        let countFilter = "FROM loans l WHERE " + conditions.joined(separator: " AND ")
        if query.offset == nil, let after = query.afterLoanID { add("l.loan_id > $?::text", after) }
        let filter = "FROM loans l WHERE " + conditions.joined(separator: " AND ")
        let fields = query.fields.isEmpty ? [LoanFields.all[0]] : query.fields
        let select = (["l.loan_id AS \"__id\""] + fields.map(\.selectItem)).joined(separator: ", ")
        return try await pool.withConnection { connection in
            let rows: PostgresRows
            var total = -1
            // LIMIT and OFFSET are bound parameters too (after the filter's), like every value.
            var pageBindings = bindings
            let limitParameter = bindings.count + 1
            if let offset = query.offset {
                pageBindings.append(query.limit)
                pageBindings.append(offset)
                rows = try await connection.query("""
                    SELECT \(select) \(filter) ORDER BY l.loan_id LIMIT $\(limitParameter)::bigint OFFSET $\(limitParameter + 1)::bigint
                    """, pageBindings)
                total = try await connection.query("SELECT count(*) AS total \(countFilter)", countBindings).first?
                    .decode(Int.self, "total") ?? 0
            } else {
                pageBindings.append(query.limit + 1)
                rows = try await connection.query(
                    "SELECT \(select) \(filter) ORDER BY l.loan_id LIMIT $\(limitParameter)::bigint", pageBindings)
            }
            var rendered: [RenderedRow] = []
            rendered.reserveCapacity(rows.count)
            for row in rows {
                var writer = JSONWriter(capacity: 512)
                writer.raw("{")
                if !query.fields.isEmpty { try row.render(fields, into: &writer, maskPhones: query.maskPhones) }
                rendered.append(RenderedRow(id: try row.decode(String.self, "__id"), fragment: writer.bytes))
            }
            return RenderedPage(rows: rendered, total: total)
        }
    }
}
