import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Testing

@Suite("PostgreSQL values: parameters and typed decoding")
struct PostgresTypeTests {
    @Test("NUMERIC(15,2) extremes, negative cents and NULL round-trip exactly as Money and Decimal")
    func numericRoundTrips() async throws {
        try await TestDatabase.with(migrated: false) { db in
            for text in ["9999999999999.99", "-9999999999999.99", "-0.01", "0.00", "0.10", "1234.50"] {
                let money = try #require(Money(exactly: text))
                let rows = try await db.pool.query("SELECT $1::numeric(15,2) AS m, $2::numeric(15,2) AS d", [money, Decimal(string: text)])
                #expect(try rows[0].decode(Money.self, "m") == money)
                #expect(try rows[0].decode(Money.self, "m").description == text)
                #expect(try rows[0].decode(Decimal.self, "d") == Decimal(string: text))
            }
            let null = try await db.pool.query("SELECT NULL::numeric(15,2) AS m")
            #expect(try null[0].decode(Money?.self, "m") == nil)
            let ratio = try await db.pool.query("SELECT 12.3457::numeric(24,4) AS r")
            #expect(try ratio[0].decode(Decimal.self, "r") == Decimal(string: "12.3457"))
        }
    }

    @Test("text, unicode and SQL-injection strings are data, never SQL")
    func stringsAreParameters() async throws {
        try await TestDatabase.with { db in
            let hostile = ["'; DROP TABLE loans; --", "Robert'); DROP TABLE officers;--", "\\x00 not a nul", "Ọ̀ṣun ẹ̀kọ́ 漢字 🚀", "tab\there\nnew line", ""]
            for (i, text) in hostile.enumerated() {
                try await db.pool.query("""
                    INSERT INTO officers (officer_id, officer_name, region, branch) VALUES ($1, $2, $3, $4)
                    """, ["O\(i)", text, text, "B"])
                let rows = try await db.pool.query("SELECT officer_name FROM officers WHERE officer_id = $1", ["O\(i)"])
                #expect(try rows[0].decode(String.self, "officer_name") == text)
            }
            let tables = try await db.pool.query("SELECT count(*) AS n FROM loans")
            #expect(try tables[0].decode(Int.self, "n") == 0)
            await #expect(throws: PostgresError.self) {
                try await db.pool.query("SELECT $1::text", ["a\u{0}b"])
            }
        }
    }

    @Test("arrays bind element by element: quotes, backslashes, commas, braces, NULL-looking text, unicode and empty strings")
    func arraysAreParameters() async throws {
        try await TestDatabase.with { db in
            let texts = ["plain", "with \"quotes\"", "back\\slash\\", "a,b", "{braces}", "NULL", "", " spaced ", "Ọ̀ṣun 漢字 🚀",
                         "tab\there\nnew line", "\\\"", "'; DROP TABLE officers; --"]
            let rows = try await db.pool.query("SELECT t, n FROM unnest($1::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n", [texts])
            #expect(try rows.map { try $0.decode(String.self, "t") } == texts)
            let numbers: [Int64] = [Int64.min, -1, 0, 42, Int64.max]
            let back = try await db.pool.query("SELECT x FROM unnest($1::bigint[]) WITH ORDINALITY AS u(x, n) ORDER BY n", [numbers])
            #expect(try back.map { try $0.decode(Int64.self, "x") } == numbers)
            await #expect(throws: PostgresError.self) {
                try await db.pool.query("SELECT $1::text[]", [["fine", "a\u{0}b"]])
            }
        }
    }

    @Test("integers, booleans, dates, timestamps and NULLs decode to their Swift types")
    func scalarRoundTrips() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let date = try #require(CalendarDate(iso: "2024-02-29"))
            let instant = Date(timeIntervalSince1970: 1_729_161_000.123456)
            let rows = try await db.pool.query("""
                SELECT $1::int AS i, $2::bigint AS b, $3::smallint AS s, $4::bool AS t, $5::bool AS f,
                       $6::date AS d, $7::timestamptz AS ts, NULL::int AS ni, NULL::date AS nd, NULL::text AS nt,
                       $8::text AS txt, now() AS now
                """, [Int32.max, Int64.min, 7, true, false, date, instant, "x"])
            let row = rows[0]
            #expect(try row.decode(Int32.self, "i") == Int32.max)
            #expect(try row.decode(Int64.self, "b") == Int64.min)
            #expect(try row.decode(Int.self, "s") == 7)
            #expect(try row.decode(Bool.self, "t") == true)
            #expect(try row.decode(Bool.self, "f") == false)
            #expect(try row.decode(CalendarDate.self, "d") == date)
            let decoded = try row.decode(Date.self, "ts")
            #expect(abs(decoded.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode(Int?.self, "ni") == nil)
            #expect(try row.decode(CalendarDate?.self, "nd") == nil)
            #expect(try row.decode(String?.self, "nt") == nil)
            #expect(try row.decode(String.self, "txt") == "x")
            #expect(abs(try row.decode(Date.self, "now").timeIntervalSinceNow) < 60)
        }
    }

    @Test("a type mismatch or an unexpected NULL is an error naming the column")
    func mismatchNamesTheColumn() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let rows = try await db.pool.query("SELECT 'abc'::text AS label, 1.5::numeric AS amount, NULL::int AS missing, 1.005::numeric AS too_precise")
            let row = rows[0]
            let intError = #expect(throws: PostgresError.self) { try row.decode(Int.self, "label") }
            #expect(intError?.message.contains("'label'") == true)
            #expect(intError?.code == .decoding)
            let doubleError = #expect(throws: PostgresError.self) { try row.decode(Bool.self, "amount") }
            #expect(doubleError?.message.contains("'amount'") == true)
            let nullError = #expect(throws: PostgresError.self) { try row.decode(Int.self, "missing") }
            #expect(nullError?.message.contains("'missing'") == true)
            let precisionError = #expect(throws: PostgresError.self) { try row.decode(Money.self, "too_precise") }
            #expect(precisionError?.message.contains("'too_precise'") == true)
            let unknown = #expect(throws: PostgresError.self) { try row.decode(Int.self, "nope") }
            #expect(unknown?.message.contains("'nope'") == true)
        }
    }

    @Test("server errors carry SQLSTATE and the server's message")
    func errorsCarrySQLState() async throws {
        try await TestDatabase.with { db in
            try await db.pool.query("INSERT INTO team_members (member_id, member_name) VALUES ($1, $2)", ["TM1", "A"])
            let duplicate = await #expect(throws: PostgresError.self) {
                try await db.pool.query("INSERT INTO team_members (member_id, member_name) VALUES ($1, $2)", ["TM1", "B"])
            }
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate?.message.contains("duplicate key") == true)
            let syntax = await #expect(throws: PostgresError.self) { try await db.pool.query("SELEC 1") }
            #expect(syntax?.sqlState == "42601")
            #expect(syntax?.code == .server)
            #expect(syntax?.debugDescription.contains("SELEC 1") == true)
            #expect(syntax?.description.contains("SELEC 1") == false)
        }
    }
}
