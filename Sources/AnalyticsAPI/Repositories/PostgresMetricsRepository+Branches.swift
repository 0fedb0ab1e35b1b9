import AnalyticsCore
import AnalyticsStore

extension PostgresMetricsRepository {
    func branches(_ query: BranchQuery) async throws -> RenderedPage {
        let fields = query.fields.isEmpty ? [BranchFields.all[0]] : query.fields
        let order = query.sort.map { "\($0.field.sql) \($0.descending ? "DESC" : "ASC") NULLS LAST, b.branch" } ?? "b.branch"
        let rows = try await pool.query("""
            SELECT b.branch AS "__id", \(fields.map(\.selectItem).joined(separator: ", "))
            FROM branch_metrics_daily b
            WHERE b.calculation_date = $1::date
              AND ($2::text[] IS NULL OR b.region = ANY($2::text[]))
              AND ($3::text[] IS NULL OR b.branch = ANY($3::text[]))
              AND ($4::text IS NULL OR b.region = $4::text)
              AND ($5::text IS NULL OR b.branch = $5::text)
            ORDER BY \(order)
            """, [query.date, query.scope.regions, query.scope.branches, query.region, query.branch])
        var rendered: [RenderedRow] = []
        for row in rows {
            var writer = JSONWriter(capacity: 512)
            writer.raw("{")
            if !query.fields.isEmpty { try row.render(fields, into: &writer, maskPhones: true) }
            rendered.append(RenderedRow(id: try row.decode(String.self, "__id"), fragment: writer.bytes))
        }
        return RenderedPage(rows: rendered, total: rendered.count)
    }

    func filterOptions(scope: AccessScope) async throws -> [UInt8] {
        let rows = try await pool.query("""
            SELECT officer_id, officer_name, region, branch FROM officers
            WHERE ($1::text[] IS NULL OR region = ANY($1::text[]))
              AND ($2::text[] IS NULL OR branch = ANY($2::text[]))
            ORDER BY officer_id
            """, [scope.regions, scope.branches])
        var regions = Set<String>()
        var branches: [String: String] = [:]
        var writer = JSONWriter(capacity: 4096)
        var officers = JSONWriter(capacity: 2048)
        officers.raw("[")
        for (i, row) in rows.enumerated() {
            let region = try row.decode(String.self, "region")
            let branch = try row.decode(String.self, "branch")
            regions.insert(region)
            if branches[branch] == nil { branches[branch] = region }
            officers.comma(if: i > 0)
            officers.raw("{\"officer_id\":")
            officers.string(try row.decode(String.self, "officer_id"))
            officers.raw(",\"officer_name\":")
            officers.string(try row.decode(String.self, "officer_name"))
            officers.raw(",\"branch\":")
            officers.string(branch)
            officers.raw(",\"region\":")
            officers.string(region)
            officers.raw("}")
        }
        officers.raw("]")
        writer.raw("{\"regions\":[")
        for (i, region) in regions.sorted().enumerated() {
            writer.comma(if: i > 0)
            writer.string(region)
        }
        writer.raw("],\"branches\":[")
        for (i, (branch, region)) in branches.sorted(by: { $0.key < $1.key }).enumerated() {
            writer.comma(if: i > 0)
            writer.raw("{\"branch\":")
            writer.string(branch)
            writer.raw(",\"region\":")
            writer.string(region)
            writer.raw("}")
        }
        writer.raw("],\"officers\":")
        writer.raw(bytes: officers.bytes)
        writer.raw(",\"risk_bands\":[\"Green\",\"Watch\",\"Amber\",\"Red\"]")
        writer.raw(",\"audit_statuses\":[\"Assigned\",\"In Progress\",\"Resolved\"]")
        writer.raw(",\"loan_statuses\":[\"Active\",\"Closed\",\"Written Off\"]}")
        return writer.bytes
    }
}
