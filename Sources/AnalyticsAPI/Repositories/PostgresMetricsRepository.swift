import AnalyticsCore
import AnalyticsStore

/// `MetricsRepository` over PostgreSQL: the read replica (`DATABASE_READ_URL`), falling back to the
/// primary when the replica cannot answer (`ReadPool`). The same statements run on either server.
struct PostgresMetricsRepository: MetricsRepository {
    /// Where metric reads run.
    let pool: ReadPool

    /// `to_char` pattern for RFC 3339 UTC timestamps.
    static func rfc3339(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }

    func consistent<R: Sendable>(_ body: () async throws -> R) async throws -> R {
        try await pool.consistent(body)
    }

    func latestCompleteDate() async throws -> Freshness? {
        let rows = try await pool.query("""
            SELECT calculation_date, \(Self.rfc3339("completed_at")) AS completed_at
            FROM officer_metrics_served_dates ORDER BY calculation_date DESC LIMIT 1
            """)
        return try rows.first.map { Freshness(date: try $0.decode(CalendarDate.self, "calculation_date"),
                                              calculatedAt: try $0.decode(String?.self, "completed_at")) }
    }

    func completeDate(_ date: CalendarDate) async throws -> Freshness? {
        try await completeDates(from: date, to: date).first
    }

    func completeDates(from: CalendarDate, to: CalendarDate) async throws -> [Freshness] {
        let rows = try await pool.query("""
            SELECT calculation_date, \(Self.rfc3339("completed_at")) AS completed_at
            FROM officer_metrics_served_dates
            WHERE calculation_date BETWEEN $1::date AND $2::date ORDER BY calculation_date DESC
            """, [from, to])
        return try rows.map { Freshness(date: try $0.decode(CalendarDate.self, "calculation_date"),
                                        calculatedAt: try $0.decode(String?.self, "completed_at")) }
    }

    func lastCompletedCalculation() async throws -> Double? {
        let rows = try await pool.query(
            "SELECT extract(epoch FROM now() - max(completed_at))::float8 AS age FROM officer_metrics_served_dates")
        return try rows.first?.decode(Double?.self, "age")
    }

    func officers(_ query: OfficerListQuery) async throws -> RenderedPage {
        let filter = """
            FROM officer_metrics_daily m JOIN officers off ON off.officer_id = m.officer_id
            WHERE m.calculation_date = ANY($1::date[])
              AND ($2::text[] IS NULL OR off.region = ANY($2::text[]))
              AND ($3::text[] IS NULL OR off.branch = ANY($3::text[]))
              AND ($4::text IS NULL OR off.region = $4::text)
              AND ($5::text IS NULL OR off.branch = $5::text)
              AND ($6::text IS NULL OR m.officer_id = $6::text)
              AND ($7::text IS NULL OR m.risk_band = $7::text)
            """
        let bindings: PostgresBindings = [query.dates, query.scope.regions, query.scope.branches, query.region,
                                          query.branch, query.officerID, query.riskBand]
        let order: String
        if let sort = query.sort {
            order = "\(sort.field.sql) \(sort.descending ? "DESC" : "ASC") NULLS LAST, m.officer_id"
        } else {
            order = "m.rank ASC NULLS LAST, m.officer_id"
        }
        let fields = query.fields.isEmpty ? [OfficerFields.all[0]] : query.fields
        // The total comes with the page (a window over the filtered rows, which the sort reads
        // anyway), not from a second scan.
        let select = (["m.officer_id AS \"__id\"", "count(*) OVER () AS \"__total\""] + fields.map(\.selectItem))
            .joined(separator: ", ")
        let sql = """
            SELECT \(select) \(filter)
            ORDER BY m.calculation_date DESC, \(order) LIMIT $8::bigint OFFSET $9::bigint
            """
        let pageBindings: PostgresBindings = bindings + [query.perPage, (query.page - 1) * query.perPage]
        return try await pool.withConnection { connection in
            let rows = try await connection.query(sql, pageBindings)
            let total: Int
            if let first = rows.first {
                total = try first.decode(Int.self, "__total")
            } else if query.page > 1 {
                // A page past the end has no row to carry the total.
                total = try await connection.query("SELECT count(*) AS total \(filter)", bindings).first?.decode(Int.self, "total") ?? 0
            } else {
                total = 0
            }
            var rendered: [RenderedRow] = []
            rendered.reserveCapacity(rows.count)
            for row in rows {
                var writer = JSONWriter(capacity: 1024)
                writer.raw("{")
                if !query.fields.isEmpty { try row.render(fields, into: &writer, maskPhones: true) }
                rendered.append(RenderedRow(id: try row.decode(String.self, "__id"), fragment: writer.bytes))
            }
            return RenderedPage(rows: rendered, total: total)
        }
    }

    func officerDetail(id: String, date: CalendarDate, scope: AccessScope, maskPhones: Bool) async throws -> OfficerDetail? {
        let header: [FieldSpec] = [
            FieldSpec(name: "officer_id", sql: "off.officer_id", kind: .string),
            FieldSpec(name: "officer_name", sql: "off.officer_name", kind: .string),
            FieldSpec(name: "officer_phone", sql: "off.officer_phone", kind: .phone),
            FieldSpec(name: "region", sql: "off.region", kind: .string),
            FieldSpec(name: "branch", sql: "off.branch", kind: .string),
        ]
        let select = (header.map(\.selectItem) + OfficerFields.all.map(\.selectItem) + ["m.risk_score AS \"__score\""])
            .joined(separator: ", ")
        let rows = try await pool.query("""
            (SELECT \(select), 0 AS "__which" FROM officer_metrics_daily m JOIN officers off ON off.officer_id = m.officer_id
              WHERE m.officer_id = $1 AND m.calculation_date = $2::date
                AND ($3::text[] IS NULL OR off.region = ANY($3::text[]))
                AND ($4::text[] IS NULL OR off.branch = ANY($4::text[])))
            UNION ALL
            (SELECT \(select), 1 AS "__which" FROM officer_metrics_daily m JOIN officers off ON off.officer_id = m.officer_id
              WHERE m.officer_id = $1 AND m.calculation_date <= $2::date - 7
              ORDER BY m.calculation_date DESC LIMIT 1)
            """, [id, date, scope.regions, scope.branches])
        guard let current = try rows.first(where: { try $0.decode(Int.self, "__which") == 0 }) else { return nil }
        let previous = try rows.first { try $0.decode(Int.self, "__which") == 1 }
        func fragment(_ row: PostgresRow) throws -> [UInt8] {
            var writer = JSONWriter(capacity: 1024)
            writer.raw("{")
            try row.render(OfficerFields.all, into: &writer, maskPhones: true)
            writer.raw("}")
            return writer.bytes
        }
        var headerWriter = JSONWriter(capacity: 256)
        headerWriter.raw("{")
        try current.render(header, into: &headerWriter, maskPhones: maskPhones)
        return OfficerDetail(header: headerWriter.bytes, currentDate: date, current: try fragment(current),
                             currentRiskScore: try current.decode(Int.self, "__score"),
                             previous: try previous.map(fragment), previousRiskScore: try previous?.decode(Int.self, "__score"))
    }
}
