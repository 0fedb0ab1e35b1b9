import AnalyticsCore
import AnalyticsStore

/// `MetricsRepository` over PostgreSQL: the read replica (`DATABASE_READ_URL`), falling back to the
/// primary when the replica cannot answer (`ReadPool`). The same statements run on either server.
struct PostgresMetricsRepository: MetricsRepository {
    /// Where metric reads run.
    let pool: ReadPool
    /// The officer snapshots list pages are cut from.
    let snapshots: OfficerSnapshots

    init(pool: ReadPool, snapshots: OfficerSnapshots = OfficerSnapshots()) {
        self.pool = pool
        self.snapshots = snapshots
    }

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

    /// A page cut from the snapshots of the query's dates (`OfficerSnapshot`, held by `snapshots`
    /// at `query.snapshotVersion`): no query per page, one per date and cache version.
    func officers(_ query: OfficerListQuery) async throws -> RenderedPage {
        let pool = self.pool
        let snapshots = try await self.snapshots.snapshots(of: query.dates, version: query.snapshotVersion) { dates in
            let rows = try await pool.query("""
                SELECT \(OfficerSnapshot.selectList)
                FROM officer_metrics_daily m JOIN officers off ON off.officer_id = m.officer_id
                WHERE m.calculation_date = ANY($1::date[])
                """, [dates])
            return try OfficerSnapshot.make(dates: dates, rows: rows)
        }
        return try OfficerSnapshot.page(query, from: snapshots)
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
