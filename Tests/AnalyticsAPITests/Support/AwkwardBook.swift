@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore

/// A generated book for the officer list tests: officer ids, regions and branches that sort
/// differently as bytes, as text in a collation, and as Swift strings (mixed case, digits, hyphens,
/// underscores, accents precomposed and decomposed, quotes), and metric values with many ties,
/// NULLs, and numbers whose text order is not their numeric order. Three served dates; not every
/// officer has a row on every date.
enum AwkwardBook {
    static let ids = [
        "A1", "a1", "a-1", "a_1", "A_1", "A-1", "a1a", "A10", "a2", "A9", "10", "9", "009", "0-9",
        "Émile", "émile", "e\u{301}mile", "Emile", "emile", "Zoë", "zoe", "ZOE", "zoë", "Ærø", "aero",
        "x y", "x-y", "x_y", "xy", "O'Brien", "obrien", "quote\"id", "back\\slash", "tab\tid", "ß", "ss", "SS",
        "İstanbul", "istanbul", "Łódź", "lodz", "日本", "中文", "ñandú", "nandu", "-lead", "_lead", "~tilde", "Z", "z",
    ]
    static let regions = ["North", "north", "Séoul", "Se\u{301}oul", "South-East", "South_East"]
    static let branches = ["Ikeja", "ikeja", "Åland", "A\u{30A}land", "B-1", "B_1", "b1", "Øst"]
    static let dates = ["2024-03-01", "2024-03-02", "2024-03-05"]
    /// Columns NULL may be written to.
    static let nullable: Set<String> = ["par15_ratio", "porr", "fimr", "all_time_fimr", "d06_slippage", "roll", "frr",
                                        "ayr", "on_time_rate", "channel_purity", "rank"]
    static let integers: Set<String> = ["active_loans", "total_disbursed_count", "overdue_15d_count", "disbursed_count",
                                        "first_miss_count", "total_entries", "backdated_count", "reversals_count", "risk_score",
                                        "dqi", "rank"]

    static func load(into pool: PostgresPool, seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let columns = OfficerFields.sortable.values.map { String($0.sql.dropFirst(2)) }.sorted()
        try await pool.withConnection { connection in
            for (i, id) in ids.enumerated() {
                _ = try await connection.execute("""
                    INSERT INTO officers (officer_id, officer_name, officer_phone, region, branch, primary_channel)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    """, [id, "Officer \(id) \"\(i)\"", "+234-803-000-\(1000 + i)", regions[i % regions.count],
                          branches[(i * 7 + 3) % branches.count], i % 3 == 0 ? nil : "Agent"])
            }
            for date in dates {
                for id in ids where Int.random(in: 0..<10, using: &rng) < 9 {
                    var values: [(any PostgresEncodable)?] = [id, date, ["Green", "Watch", "Amber", "Red"].randomElement(using: &rng) ?? "Red",
                                                              Bool.random(using: &rng) ? "true" : "false"]
                    for column in columns {
                        if nullable.contains(column), Int.random(in: 0..<4, using: &rng) == 0 {
                            values.append(nil)
                        } else if column == "risk_score" {
                            values.append(["0", "2", "10", "9", "100", "55"].randomElement(using: &rng))
                        } else if integers.contains(column) {
                            values.append(["0", "2", "10", "-1", "9"].randomElement(using: &rng))
                        } else {
                            values.append(["0", "0.5", "1.25", "-3", "100.1", "2", "0.50"].randomElement(using: &rng))
                        }
                    }
                    let casts = columns.enumerated().map { "$\($0.offset + 5)::\(integers.contains($0.element) ? "integer" : "numeric")" }
                    _ = try await connection.execute("""
                        INSERT INTO officer_metrics_daily (officer_id, calculation_date, risk_band, had_float_gap, \(columns.joined(separator: ", ")))
                        VALUES ($1, $2::date, $3, $4::boolean, \(casts.joined(separator: ", ")))
                        """, values)
                }
                _ = try await connection.execute("""
                    INSERT INTO metric_calculation_log (calculation_type, calculation_date, partition_key, end_time, status)
                    VALUES ('officer_metrics', $1::date, '0/1', now(), 'Completed')
                    """, [date])
            }
        }
    }
}
