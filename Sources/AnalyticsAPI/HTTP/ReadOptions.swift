import AnalyticsCore

/// Parsing of the options shared by the read endpoints: `fields=`, `sort=`, pagination, ranges.
enum ReadOptions {
    /// The fields `fields=` selects from `catalog` plus the read-time `extras` it names (all when
    /// absent); an unknown field is a 400.
    static func fields(_ list: [String]?, catalog: [FieldSpec], extras: [String] = []) throws(APIError) -> ([FieldSpec], [String]) {
        guard let list else { return (catalog, extras) }
        var specs: [FieldSpec] = []
        var chosenExtras: [String] = []
        for name in list {
            if let spec = catalog.first(where: { $0.name == name }) {
                if !specs.contains(spec) { specs.append(spec) }
            } else if extras.contains(name) {
                if !chosenExtras.contains(name) { chosenExtras.append(name) }
            } else {
                throw APIError.badParameter("fields", "names an unknown field '\(name.prefix(60))' (known: \((catalog.map(\.name) + extras).joined(separator: ", ")))")
            }
        }
        return (specs, chosenExtras)
    }

    /// `sort=field` or `sort=-field` over `sortable`, or nil.
    static func sort(_ text: String?, sortable: [String: FieldSpec]) throws(APIError) -> SortOrder? {
        guard let text else { return nil }
        let descending = text.hasPrefix("-")
        let name = descending ? String(text.dropFirst()) : text
        guard let field = sortable[name] else {
            // `sort=+rank` arrives as " rank": a form-encoded `+` is a space.
            let hint = text.hasPrefix(" ") || text.hasPrefix("+") ? " ('+' in a query string is a space; ascending needs no prefix)" : ""
            throw APIError.badParameter("sort", "must be a numeric field, optionally prefixed with '-' (one of \(sortable.keys.sorted().joined(separator: ", "))), got '\(text.prefix(60))'\(hint)")
        }
        return SortOrder(field: field, descending: descending)
    }

    /// `start_date`/`end_date`: both or neither, start before end, at most 93 days.
    static func range(_ query: QueryParameters) throws(APIError) -> ClosedRange<CalendarDate>? {
        let start = try query.date("start_date")
        let end = try query.date("end_date")
        switch (start, end) {
        case (nil, nil):
            return nil
        case (let start?, let end?):
            guard start <= end else { throw APIError.badParameter("start_date", "must not be after end_date") }
            guard end - start < 93 else { throw APIError.badParameter("end_date", "is more than 93 days after start_date (at most 93 days)") }
            return start...end
        case (nil, _):
            throw APIError.badParameter("start_date", "is required with end_date")
        case (_, nil):
            throw APIError.badParameter("end_date", "is required with start_date")
        }
    }

    /// Writes `"total":..,"page":..,"per_page":..,"total_pages":..` (no braces).
    static func pagination(total: Int, page: Int, perPage: Int, into writer: inout JSONWriter) {
        let pages = total == 0 ? 0 : (total + perPage - 1) / perPage
        writer.raw("\"total\":\(total),\"page\":\(page),\"per_page\":\(perPage),\"total_pages\":\(pages)")
    }

    /// Writes `,"calculation_date":..,"calculated_at":..`.
    static func freshness(_ freshness: Freshness?, into writer: inout JSONWriter) {
        writer.raw(",\"calculation_date\":")
        writer.string(freshness.map { "\($0.date)" })
        writer.raw(",\"calculated_at\":")
        writer.string(freshness?.calculatedAt)
    }
}
