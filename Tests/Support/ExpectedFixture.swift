import AnalyticsCore
import AnalyticsStore
import Foundation

/// Reads the fixture's expected files with AnalyticsCore's exact JSON reader and compares them with
/// what the jobs stored, column by column, as text (money "1234.50", ratios "0.3659", null).
public enum ExpectedFixture {
    /// A file of the fixture (`small/expected/<date>/...`), read exactly.
    public static func load(_ relative: String) throws -> JSONValue {
        let url = FixtureDatabase.fixturesDirectory.appendingPathComponent(relative)
        return try JSONReader().parse(Array(try Data(contentsOf: url)))
    }

    /// The expected value as the text PostgreSQL prints for the stored column (nil for null).
    public static func text(_ value: JSONValue) -> String? {
        switch value {
        case .null: nil
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n
        case .string(let s): s
        case .array, .object: value.jsonText
        }
    }

    /// Stored column for an expected key, where the names differ.
    public static let loanColumns = ["risk_score": "loan_risk_score"]
    /// Expected loan keys that are not stored columns of `loans` (engine details tested in AnalyticsCore).
    public static let unstoredLoanKeys: Set<String> = ["installments", "covered_to_date", "schedule_source"]
    /// Officer keys that come from the officer record, not from `officer_metrics_daily`.
    public static let officerRecordKeys: Set<String> = ["officer_name", "region", "branch", "employment_status"]

    /// Every difference between the stored rows of `date` and the expected files, as readable lines.
    public static func differences(date: String, pool: PostgresPool, checkLoans: Bool = true) async throws -> [String] {
        var problems: [String] = []
        // Officer rows.
        let expectedOfficers = try load("small/expected/\(date)/officer_metrics.json").arrayValue ?? []
        let storedOfficers = try await rowsAsText(pool, """
            SELECT m.*, o.officer_name, o.region, o.branch, o.employment_status
            FROM officer_metrics_daily m JOIN officers o USING (officer_id) WHERE calculation_date = $1
            """, date, key: "officer_id")
        problems += compare(expected: expectedOfficers, key: "officer_id", stored: storedOfficers, what: "officer", date: date, rename: [:], skip: [])
        // Branch rows.
        let expectedBranches = try load("small/expected/\(date)/branch_metrics.json").arrayValue ?? []
        let storedBranches = try await rowsAsText(pool, "SELECT * FROM branch_metrics_daily WHERE calculation_date = $1", date, key: "branch")
        problems += compare(expected: expectedBranches, key: "branch", stored: storedBranches, what: "branch", date: date, rename: [:], skip: [])
        // Loans that exist at D, with their computed columns as of D.
        if checkLoans, let object = try load("small/expected/\(date)/loans.json").objectValue {
            let expected = object.members.map { member -> JSONValue in
                var fields = member.value.objectValue ?? JSONObject()
                fields.members.append(JSONObject.Member(key: "loan_id", value: .string(member.key)))
                return .object(fields)
            }
            let stored = try await rowsAsText(pool, """
                SELECT * FROM loans WHERE disbursement_date <= $1::date AND status <> 'Cancelled'
                """, date, key: "loan_id")
            problems += compare(expected: expected, key: "loan_id", stored: stored, what: "loan", date: date,
                                rename: loanColumns, skip: unstoredLoanKeys)
        }
        return problems
    }

    private static func rowsAsText(_ pool: PostgresPool, _ sql: String, _ date: String, key: String) async throws -> [String: [String: String?]] {
        // Every column as text: money and ratios keep their scale, booleans read true/false.
        let rows = try await pool.query("SELECT row_to_json(x)::text AS j FROM (\(sql)) x", [date])
        var result: [String: [String: String?]] = [:]
        for row in rows {
            guard let object = try JSONReader().parse(try row.decode(String.self, "j")).objectValue else { continue }
            var fields: [String: String?] = [:]
            for member in object.members { fields[member.key] = text(member.value) }
            if let id = fields[key] ?? nil { result[id] = fields }
        }
        return result
    }

    private static func compare(expected: [JSONValue], key: String, stored: [String: [String: String?]], what: String,
                                date: String, rename: [String: String], skip: Set<String>) -> [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for item in expected {
            guard let object = item.objectValue, let id = object[key]?.stringValue else { continue }
            seen.insert(id)
            guard let row = stored[id] else {
                problems.append("\(what) \(id) at \(date): expected a row, found none")
                continue
            }
            for member in object.members where !member.key.hasPrefix("_aux") && !skip.contains(member.key) {
                let column = rename[member.key] ?? member.key
                guard let actual = row[column] else {
                    problems.append("\(what) \(id) at \(date): no stored column \(column)")
                    continue
                }
                let want = text(member.value)
                if normalize(actual) != normalize(want) {
                    problems.append("\(what) \(id) at \(date).\(member.key): expected \(want ?? "null"), stored \(actual ?? "null")")
                }
            }
        }
        for id in stored.keys where !seen.contains(id) {
            problems.append("\(what) \(id) at \(date): stored but not expected")
        }
        return problems
    }

    /// row_to_json prints numerics as JSON numbers (their text: "1234.50", "0.3659") and dates as
    /// "YYYY-MM-DD": the same text as the expected files, so no rounding is involved.
    private static func normalize(_ text: String?) -> String? { text }
}
