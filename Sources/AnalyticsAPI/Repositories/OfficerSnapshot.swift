import AnalyticsCore
import AnalyticsStore
import Synchronization

/// Every officer row of one calculation date, rendered once, from which every officer list page of
/// that date is cut in memory (`page(_:)`, `OfficerSnapshot+Page.swift`): any filter, sort, field
/// subset and page of `GET /api/v1/metrics/officers`, without a query per page.
///
/// Orders are exact and the database's: each row carries its position in `ORDER BY m.officer_id`
/// computed by PostgreSQL (the column's collation, whatever the database uses), and a sort field's
/// values (all `numeric` or `integer` columns) are compared as the exact numbers PostgreSQL printed
/// (`NumericKey`, never binary floating point). So a page sorts exactly as the SQL
/// `ORDER BY <field> [DESC] NULLS LAST, m.officer_id` did. Each order is worked out once per
/// snapshot, the first time a page asks for it. Filters compare bytes, as PostgreSQL's text
/// equality does under a deterministic collation (Swift's `==` would equate canonically equivalent
/// spellings that the database tells apart).
final class OfficerSnapshot: Sendable {
    /// One officer's row: what filters and orders read. Its field values are in the snapshot's
    /// `text` (`value(_:_:)`).
    struct Row: Sendable {
        /// `m.officer_id`.
        var id: String
        /// `off.region`, `off.branch`, `m.risk_band`: the filter keys.
        var region: String?
        var branch: String?
        var riskBand: String?
        /// 1-based position of `m.officer_id` in the database's order of the date's rows.
        var ordinal: Int
    }

    /// The calculation date.
    let date: CalendarDate
    /// The date's rows, in no particular order.
    let rows: [Row]
    /// The JSON value of every field of every row, row after row, each row's in `OfficerFields.all`
    /// order: one buffer for the snapshot, not one (and its spare capacity) per row.
    private let text: [UInt8]
    /// Where each value ends in `text`: row `r`'s field `f` ends at `ends[r * fieldCount + f]`.
    private let ends: [Int32]
    /// The orders worked out so far: row positions by (field of `OfficerFields.all`, descending).
    private let orders = Mutex<[Order: [Int32]]>([:])

    private struct Order: Hashable {
        var field: Int
        var descending: Bool
    }

    /// How many fields each row holds (`OfficerFields.all`).
    static let fieldCount = OfficerFields.all.count

    init(date: CalendarDate, rows: [Row], text: [UInt8], ends: [Int32]) {
        self.date = date
        self.rows = rows
        self.text = text
        self.ends = ends
    }

    /// The JSON value of field number `field` of `OfficerFields.all` in row number `row`.
    func value(_ row: Int, _ field: Int) -> ArraySlice<UInt8> {
        let index = row * Self.fieldCount + field
        return text[(index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])]
    }

    /// Position of each field's name in `OfficerFields.all`.
    static let fieldIndex: [String: Int] = Dictionary(uniqueKeysWithValues: OfficerFields.all.enumerated().map { ($1.name, $0) })

    /// The positions of `rows` in `ORDER BY <field> [DESC] NULLS LAST, m.officer_id`, where `field`
    /// is a number field of `OfficerFields.all`; nil when a value is not a number (not a sortable field).
    func order(field: Int, descending: Bool) -> [Int32]? {
        let key = Order(field: field, descending: descending)
        if let known = orders.withLock({ $0[key] }) { return known }
        var values: [NumericKey?] = []
        values.reserveCapacity(rows.count)
        for row in rows.indices {
            let text = value(row, field)
            if text.elementsEqual("null".utf8) {
                values.append(nil)
            } else if let value = NumericKey(text) {
                values.append(value)
            } else {
                return nil
            }
        }
        let positions = rows.indices.sorted { a, b in
            switch (values[a], values[b]) {
            case (nil, nil): break
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?) where x != y: return descending ? y < x : x < y
            default: break
            }
            return rows[a].ordinal < rows[b].ordinal
        }.map { Int32(clamping: $0) }
        orders.withLock { $0[key] = positions }
        return positions
    }

    /// The select list of the snapshot query over `officer_metrics_daily m JOIN officers off`, one
    /// row per officer and date: ids, filter keys, the officer_id ordinal (per date) and every field
    /// as text (`FieldSpec.selectItem`, as any other read renders it).
    static let selectList: String = {
        var items = [
            "m.calculation_date AS \"__date\"", "m.officer_id AS \"__id\"", "off.region AS \"__region\"",
            "off.branch AS \"__branch\"", "m.risk_band AS \"__risk_band\"",
            "row_number() OVER (PARTITION BY m.calculation_date ORDER BY m.officer_id) AS \"__ordinal\"",
        ]
        items += OfficerFields.all.map(\.selectItem)
        return items.joined(separator: ", ")
    }()

    /// The snapshots of the dates in `rows` (selected with `selectList`), one per date of `dates`
    /// (a date without rows has an empty snapshot).
    static func make(dates: [CalendarDate], rows: PostgresRows) throws -> [CalendarDate: OfficerSnapshot] {
        /// One date's rows while they are read.
        struct Building {
            var rows: [Row] = []
            var text = JSONWriter(capacity: 0)
            var ends: [Int32] = []
        }
        var byDate: [CalendarDate: Building] = Dictionary(dates.map { ($0, Building()) }, uniquingKeysWith: { first, _ in first })
        let columns = rows.columns
        func position(_ name: String) throws -> Int {
            guard let index = columns.index(of: name) else {
                throw PostgresError(code: .decoding, message: "no column '\(name)' in the officer snapshot")
            }
            return index
        }
        let date = try position("__date"), id = try position("__id"), region = try position("__region")
        let branch = try position("__branch"), riskBand = try position("__risk_band"), ordinal = try position("__ordinal")
        let fields = try OfficerFields.all.map { try position($0.name) }
        for row in rows {
            let rowDate = try row.decode(CalendarDate.self, at: date)
            var building = byDate.removeValue(forKey: rowDate) ?? Building()
            for (field, column) in zip(OfficerFields.all, fields) {
                field.write(try row.decode(String?.self, at: column), into: &building.text, maskPhones: true)
                guard let end = Int32(exactly: building.text.bytes.count) else {
                    throw PostgresError(code: .decoding, message: "the officer snapshot of \(rowDate) is larger than 2 GB")
                }
                building.ends.append(end)
            }
            building.rows.append(Row(
                id: try row.decode(String.self, at: id), region: try row.decode(String?.self, at: region),
                branch: try row.decode(String?.self, at: branch), riskBand: try row.decode(String?.self, at: riskBand),
                ordinal: try row.decode(Int.self, at: ordinal)))
            byDate[rowDate] = building
        }
        // Copied to arrays of their exact size: the growth's spare capacity is not kept.
        return Dictionary(uniqueKeysWithValues: byDate.map { date, building in
            (date, OfficerSnapshot(date: date, rows: compact(building.rows), text: compact(building.text.bytes),
                                   ends: compact(building.ends)))
        })
    }

    /// A copy of `array` without spare capacity.
    private static func compact<Element>(_ array: [Element]) -> [Element] {
        var copy: [Element] = []
        copy.reserveCapacity(array.count)
        copy.append(contentsOf: array)
        return copy
    }
}
