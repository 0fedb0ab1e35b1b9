extension OfficerSnapshot {
    /// The page `query` asks for, cut from the snapshots of its dates: the rows that pass every
    /// filter (the dates, the token's scope, region, branch, officer_id, risk_band), newest date
    /// first, then in the sort's order (`rank` ascending without one) with NULLs last and ties by
    /// officer_id in the database's collation (`order(field:descending:)`); `total` counts them all
    /// (a page past the end has no rows and the right total). Each row holds the fields of
    /// `query.fields`, in that order.
    static func page(_ query: OfficerListQuery, from snapshots: [OfficerSnapshot]) throws(APIError) -> RenderedPage {
        let sortName = query.sort?.field.name ?? "rank"
        guard let sortField = fieldIndex[sortName], OfficerFields.sortable[sortName] != nil else {
            throw APIError(.internalError, "the officer list cannot sort by \(sortName)")
        }
        let descending = query.sort?.descending ?? false
        var columns: [Int] = []
        for field in query.fields {
            guard let index = fieldIndex[field.name] else { throw APIError(.internalError, "the officer list has no field \(field.name)") }
            columns.append(index)
        }
        let wanted = Set(query.dates)
        let start = (query.page - 1) * query.perPage
        let end = start + query.perPage
        var total = 0
        var rows: [RenderedRow] = []
        for snapshot in snapshots.filter({ wanted.contains($0.date) }).sorted(by: { $0.date > $1.date }) {
            guard let order = snapshot.order(field: sortField, descending: descending) else {
                throw APIError(.internalError, "the officer list found a value of \(sortName) that is not a number")
            }
            for position in order {
                let row = snapshot.rows[Int(position)]
                guard row.matches(query) else { continue }
                if total >= start, total < end {
                    rows.append(RenderedRow(id: row.id, fragment: snapshot.fragment(Int(position), query.fields, columns: columns)))
                }
                total += 1
            }
        }
        return RenderedPage(rows: rows, total: total)
    }
}

extension OfficerSnapshot.Row {
    /// True when the row passes the filters of `query` (its dates aside): SQL's `=` and `= ANY` on
    /// text, byte for byte; a NULL never matches.
    func matches(_ query: OfficerListQuery) -> Bool {
        func equal(_ value: String?, _ wanted: String) -> Bool {
            guard let value else { return false }
            return value.utf8.elementsEqual(wanted.utf8)
        }
        if let regions = query.scope.regions, !regions.contains(where: { equal(region, $0) }) { return false }
        if let branches = query.scope.branches, !branches.contains(where: { equal(branch, $0) }) { return false }
        if let wanted = query.region, !equal(region, wanted) { return false }
        if let wanted = query.branch, !equal(branch, wanted) { return false }
        if let wanted = query.officerID, !equal(id, wanted) { return false }
        if let wanted = query.riskBand, !equal(riskBand, wanted) { return false }
        return true
    }
}

extension OfficerSnapshot {
    /// Row number `row`'s JSON object without its closing brace, with `fields` (at `columns` of
    /// `OfficerFields.all`).
    func fragment(_ row: Int, _ fields: [FieldSpec], columns: [Int]) -> [UInt8] {
        var writer = JSONWriter(capacity: fields.isEmpty ? 1 : columns.reduce(2) { $0 + value(row, $1).count } + fields.count * 24)
        writer.raw("{")
        FieldSpec.members(fields, into: &writer) { i, _, writer in writer.raw(bytes: value(row, columns[i])) }
        return writer.bytes
    }
}
