import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Testing

@Suite("PostgreSQL COPY streaming")
struct PostgresCopyTests {
    @Test("200,000 rows go in with COPY FROM STDIN and come back equal with COPY TO STDOUT")
    func copyRoundTrip() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let count = 200_000
            try await db.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE copy_test (id bigint PRIMARY KEY, label text, amount numeric(15,2), day date, flag boolean)")
                let copied = try await connection.copyIn("COPY copy_test (id, label, amount, day, flag) FROM STDIN") { writer in
                    for i in 0..<count {
                        try await writer.write(row: [
                            i, Self.label(i), Money(minorUnits: Int64(i) * 7 - 350_000),
                            i % 5 == 0 ? nil : CalendarDate(daysSinceEpoch: Int32(19_000 + i % 1000)), i % 2 == 0,
                        ])
                    }
                }
                #expect(copied == count)
            }
            let summary = try await db.pool.query("SELECT count(*) AS n, sum(amount) AS total FROM copy_test")
            #expect(try summary[0].decode(Int.self, "n") == count)
            let expectedTotal = (0..<count).reduce(Int64(0)) { $0 + Int64($1) * 7 - 350_000 }
            #expect(try summary[0].decode(Money.self, "total") == Money(minorUnits: expectedTotal))

            let mismatches = try await db.pool.withConnection { connection in
                try await connection.copyOut("COPY (SELECT id, label, amount, day, flag FROM copy_test ORDER BY id) TO STDOUT") { reader in
                    var bad: [String] = []
                    var expectedID = 0
                    while try reader.next() {
                        let i = expectedID
                        expectedID += 1
                        let day: CalendarDate? = i % 5 == 0 ? nil : CalendarDate(daysSinceEpoch: Int32(19_000 + i % 1000))
                        if reader.int(0) != i || reader.string(1) != Self.label(i)
                            || reader.money(2) != Money(minorUnits: Int64(i) * 7 - 350_000)
                            || reader.date(3) != day || reader.isNull(3) != (day == nil) || reader.bool(4) != (i % 2 == 0) {
                            bad.append("row \(i)")
                        }
                    }
                    if expectedID != count { bad.append("read \(expectedID) rows") }
                    return bad
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        }
    }

    @Test("COPY out binds values through settings, never through SQL text")
    func copyOutWithBoundSetting() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let labels = try await db.pool.withConnection { connection in
                try await connection.copyOut(
                    "COPY (SELECT current_setting('analytics.label') AS l) TO STDOUT",
                    bindSettings: [("analytics.label", "it's\ta \\ test")]
                ) { reader in
                    var all: [String?] = []
                    while try reader.next() { all.append(reader.string(0)) }
                    return all
                }
            }
            #expect(labels == ["it's\ta \\ test"])
        }
    }

    @Test("a failing COPY body aborts the COPY and leaves the connection usable")
    func abortedCopy() async throws {
        try await TestDatabase.with(migrated: false) { db in
            struct Stop: Error {}
            try await db.pool.withConnection { connection in
                try await connection.execute("CREATE TABLE c (id int)")
                await #expect(throws: Stop.self) {
                    try await connection.copyIn("COPY c (id) FROM STDIN") { writer in
                        try await writer.write(row: [1])
                        throw Stop()
                    }
                }
                let rows = try await connection.query("SELECT count(*) AS n FROM c")
                #expect(try rows[0].decode(Int.self, "n") == 0)
            }
        }
    }

    static func label(_ i: Int) -> String {
        switch i % 4 {
        case 0: "plain \(i)"
        case 1: "tab\t\(i)"
        case 2: "back\\slash\nnewline \(i)"
        default: "ünïcödé \(i) \\N"
        }
    }

    static let binaryAmounts: [Int64] = [
        0, 1, -1, 5, 10, 99, 100, 101, 9_999, 10_000, 10_001, 123_456, -123_456, 100_000_000, 999_999_999_999_999,
        -999_999_999_999_999, 1_000_000_00, 50_000_00, 7_000_000_000_00, 12_300_00,
    ]

    @Test("binary COPY: money, dates, text, booleans, integers and NULLs round-trip and equal the server's own text")
    func binaryRoundTrip() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let amounts = Self.binaryAmounts + (0..<2_000).map { Int64($0) * 7_919 - 5_000_000 }
            let days: [Int32] = [-10_957, 0, 10_957, 19_000, 20_000, 2_932_896]
            try await db.pool.withConnection { connection in
                try await connection.execute("""
                    CREATE TABLE bin_test (id int PRIMARY KEY, amount numeric(15,2), day date, label text, flag boolean, big bigint)
                    """)
                try await connection.copyIn("COPY bin_test (id, amount, day, label, flag, big) FROM STDIN (FORMAT binary)") { writer in
                    writer.appendRaw(PostgresBinaryCopy.header)
                    for (i, units) in amounts.enumerated() {
                        writer.appendBinary { e in
                            e.row(fields: 6)
                            e.int32(value: Int32(i))
                            e.money(i % 11 == 3 ? nil : Money(minorUnits: units))
                            e.date(i % 7 == 2 ? nil : CalendarDate(daysSinceEpoch: days[i % days.count]))
                            e.text(i % 5 == 1 ? nil : "naïve \t\n'; DROP TABLE x; -- \(i)")
                            e.bool(i % 3 == 0 ? nil : i % 2 == 0)
                            e.int64(value: Int64(i) * -1_000_000_007)
                        }
                    }
                    writer.appendRaw(PostgresBinaryCopy.trailer)
                }
            }
            // The server's text of what arrived equals our own rendering (numeric normalised, exact).
            let text = try await db.pool.query("SELECT id, amount::text AS a, day::text AS d FROM bin_test ORDER BY id")
            for row in text {
                let i = try row.decode(Int.self, "id")
                let expected: String? = i % 11 == 3 ? nil : Money(minorUnits: amounts[i]).description
                #expect(try row.decode(String?.self, "a") == expected, "row \(i)")
                let day: String? = i % 7 == 2 ? nil : CalendarDate(daysSinceEpoch: days[i % days.count]).description
                #expect(try row.decode(String?.self, "d") == day, "row \(i)")
            }
            let mismatches = try await db.pool.withConnection { connection in
                try await connection.copyOutBinary("COPY (SELECT id, amount, day, label, flag, big FROM bin_test ORDER BY id) TO STDOUT (FORMAT binary)") { reader in
                    var bad: [Int] = []
                    var i = 0
                    while try reader.next() {
                        defer { i += 1 }
                        let ok = try reader.int(0) == i
                            && (try reader.money(1)) == (i % 11 == 3 ? nil : Money(minorUnits: amounts[i]))
                            && (try reader.date(2)) == (i % 7 == 2 ? nil : CalendarDate(daysSinceEpoch: days[i % days.count]))
                            && reader.string(3) == (i % 5 == 1 ? nil : "naïve \t\n'; DROP TABLE x; -- \(i)")
                            && (try reader.bool(4)) == (i % 3 == 0 ? nil : i % 2 == 0)
                            && (try reader.int64(5)) == Int64(i) * -1_000_000_007
                        if !ok { bad.append(i) }
                    }
                    return bad + (i == amounts.count ? [] : [-1])
                }
            }
            #expect(mismatches.isEmpty)
        }
    }

    @Test("binary COPY: a numeric with more than two decimals is an error naming the field, not a rounded amount")
    func binaryRejectsSubCent() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let error = await #expect(throws: PostgresError.self) {
                try await db.pool.withConnection { connection in
                    try await connection.copyOutBinary("COPY (SELECT 1.005::numeric AS a) TO STDOUT (FORMAT binary)") { reader in
                        while try reader.next() { _ = try reader.money(0) }
                    }
                }
            }
            #expect(error?.message.contains("field 0") == true)
        }
    }
}
