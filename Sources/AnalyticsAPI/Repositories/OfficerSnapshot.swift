import AnalyticsCore
import AnalyticsStore

/// Every officer row of one calculation date, rendered once, from which every officer list page of
/// that date is cut in memory (`page(_:)`, `OfficerSnapshot+Page.swift`): any filter, sort, field
/// subset and page of `GET /api/v1/metrics/officers`, without a query per page.
///
/// The orders come from PostgreSQL, never from Swift's comparison of the values: each row carries
/// its position in `ORDER BY m.officer_id` (the column's collation, whatever the database uses) and,
/// for each sortable field, its `dense_rank()` in `ORDER BY <field>` (equal values share a rank,
/// exactly as the database compares the column's type). So a page sorts exactly as the SQL
/// `ORDER BY <field> [DESC] NULLS LAST, m.officer_id` did. Filters compare bytes, as PostgreSQL's
/// text equality does under a deterministic collation (Swift's `==` would equate canonically
/// equivalent spellings that the database tells apart).
struct OfficerSnapshot: Sendable {
    /// One officer's row.
    struct Row: Sendable {
        /// `m.officer_id`.
        var id: String
        /// `off.region`, `off.branch`, `m.risk_band`: the filter keys.
        var region: String?
        var branch: String?
        var riskBand: String?
        /// 1-based position of `m.officer_id` in the database's order of the date's rows.
        var ordinal: Int
        /// The JSON value of each field of `OfficerFields.all`, concatenated.
        var values: [UInt8]
        /// Where each field's value ends in `values`, in `OfficerFields.all` order.
        var ends: [Int32]
        /// Per field of `sortFields`: the row's `dense_rank()` in that field's ascending order, 0 when NULL.
        var sortKeys: [Int32]

        /// The JSON value of field number `index` of `OfficerFields.all`.
        func value(_ index: Int) -> ArraySlice<UInt8> {
            values[(index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])]
        }
    }

    /// The calculation date.
    let date: CalendarDate
    /// The date's rows, in no particular order.
    let rows: [Row]

    /// The fields `sort=` accepts (and `rank`, the default order), in the order of `Row.sortKeys`.
    static let sortFields: [FieldSpec] = OfficerFields.all.filter { OfficerFields.sortable[$0.name] != nil }
    /// Position of each sortable field's name in `sortFields`.
    static let sortIndex: [String: Int] = Dictionary(uniqueKeysWithValues: sortFields.enumerated().map { ($1.name, $0) })
    /// Position of each field's name in `OfficerFields.all`.
    static let fieldIndex: [String: Int] = Dictionary(uniqueKeysWithValues: OfficerFields.all.enumerated().map { ($1.name, $0) })

    /// The select list of the snapshot query over `officer_metrics_daily m JOIN officers off`, one
    /// row per officer and date: ids, filter keys, the officer_id ordinal and the sort ranks (per
    /// date), and every field as text (`FieldSpec.selectItem`, as any other read renders it).
    static let selectList: String = {
        var items = [
            "m.calculation_date AS \"__date\"", "m.officer_id AS \"__id\"", "off.region AS \"__region\"",
            "off.branch AS \"__branch\"", "m.risk_band AS \"__risk_band\"",
            "row_number() OVER (PARTITION BY m.calculation_date ORDER BY m.officer_id) AS \"__ordinal\"",
        ]
        for (i, field) in sortFields.enumerated() {
            items.append("CASE WHEN (\(field.sql)) IS NULL THEN 0 ELSE dense_rank() OVER (PARTITION BY m.calculation_date ORDER BY \(field.sql)) END AS \"__key\(i)\"")
        }
        items += OfficerFields.all.map(\.selectItem)
        return items.joined(separator: ", ")
    }()

    /// The snapshots of the dates in `rows` (selected with `selectList`), one per date of `dates`
    /// (a date without rows has an empty snapshot).
    static func make(dates: [CalendarDate], rows: PostgresRows) throws -> [CalendarDate: OfficerSnapshot] {
        var byDate: [CalendarDate: [Row]] = Dictionary(dates.map { ($0, [Row]()) }, uniquingKeysWith: { first, _ in first })
        let columns = rows.columns
        func position(_ name: String) throws -> Int {
            guard let index = columns.index(of: name) else {
                throw PostgresError(code: .decoding, message: "no column '\(name)' in the officer snapshot")
            }
            return index
        }
        let date = try position("__date"), id = try position("__id"), region = try position("__region")
        let branch = try position("__branch"), riskBand = try position("__risk_band"), ordinal = try position("__ordinal")
        let keys = try sortFields.indices.map { try position("__key\($0)") }
        let fields = try OfficerFields.all.map { try position($0.name) }
        for row in rows {
            var writer = JSONWriter(capacity: 768)
            var ends: [Int32] = []
            ends.reserveCapacity(fields.count)
            for (field, column) in zip(OfficerFields.all, fields) {
                field.write(try row.decode(String?.self, at: column), into: &writer, maskPhones: true)
                ends.append(Int32(clamping: writer.bytes.count))
            }
            let snapshotRow = Row(
                id: try row.decode(String.self, at: id), region: try row.decode(String?.self, at: region),
                branch: try row.decode(String?.self, at: branch), riskBand: try row.decode(String?.self, at: riskBand),
                ordinal: try row.decode(Int.self, at: ordinal), values: writer.bytes, ends: ends,
                sortKeys: try keys.map { Int32(clamping: try row.decode(Int.self, at: $0)) })
            let rowDate = try row.decode(CalendarDate.self, at: date)
            byDate[rowDate, default: []].append(snapshotRow)
        }
        return Dictionary(uniqueKeysWithValues: byDate.map { ($0.key, OfficerSnapshot(date: $0.key, rows: $0.value)) })
    }
}
