import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Testing

@Suite("PostgreSQL COPY streaming")
struct PostgresCopyTests {
    @Test("200,000 rows go in with COPY FROM STDIN and come back equal with COPY TO STDOUT")
    func copyRoundTrip() async throws {
        let db = try await TestDatabase.create(migrated: false)
        defer { Task { await db.drop() } }
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

    @Test("COPY out binds values through settings, never through SQL text")
    func copyOutWithBoundSetting() async throws {
        let db = try await TestDatabase.create(migrated: false)
        defer { Task { await db.drop() } }
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

    @Test("a failing COPY body aborts the COPY and leaves the connection usable")
    func abortedCopy() async throws {
        let db = try await TestDatabase.create(migrated: false)
        defer { Task { await db.drop() } }
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

    static func label(_ i: Int) -> String {
        switch i % 4 {
        case 0: "plain \(i)"
        case 1: "tab\t\(i)"
        case 2: "back\\slash\nnewline \(i)"
        default: "ünïcödé \(i) \\N"
        }
    }
}
