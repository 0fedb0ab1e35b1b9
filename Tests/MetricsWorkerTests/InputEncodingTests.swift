import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
@testable import MetricsWorker
import Testing

/// Input as people produce it (issue 13): a UTF-8 byte-order mark at the start (Excel's "CSV
/// UTF-8", some JSON exporters), and CSV rejects worded in terms of CSV cells.
@Suite("Input encodings")
struct InputEncodingTests {
    static let bom = "\u{FEFF}"
    static let officerCSV = "officer_id,officer_name,region,branch\nO1,Ada,North,Kano\nO2,Bo,North,Kano\n"
    static let officerJSON = #"{"officer_id":"O1","officer_name":"Ada","region":"North","branch":"Kano"}"#

    static func write(_ text: String, _ name: String) throws -> String {
        let path = try ServerScript.makeDirectory("encoding") + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a byte-order mark before a CSV header, a JSON document or NDJSON is skipped", arguments: [
        ("officers.csv", officerCSV, RecordKind.officer as RecordKind?, 2),
        ("officer.json", officerJSON, nil, 1),
        ("officers.ndjson", officerJSON + "\n" + officerJSON.replacingOccurrences(of: "O1", with: "O2") + "\n", nil, 2),
        ("batch.json", #"{"officers":["# + officerJSON + "]}", nil, 1),
    ])
    func byteOrderMarkSkipped(name: String, text: String, kind: RecordKind?, officers: Int) async throws {
        try await TestDatabase.with { db in
            let path = try Self.write(Self.bom + text, name)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(3) == Data([0xEF, 0xBB, 0xBF]))
            let summary = try await IngestCommand.ingest([(path, kind)], pool: db.pool)
            #expect(summary.rejected == 0)
            #expect(summary.accepted == officers)
            let ids = try await db.pool.query("SELECT officer_id FROM officers ORDER BY 1").map { try $0.decode(String.self, "officer_id") }
            #expect(ids == Array(["O1", "O2"].prefix(officers)))
        }
    }

    @Test("a CSV cell that is not a number or a flag is named by its column and text, not as a JSON type")
    func csvWording() async throws {
        try await TestDatabase.with { db in
            _ = try await IngestCommand.ingest([(try Self.write(Self.officerCSV, "officers.csv"), .officer)], pool: db.pool)
            let loans = """
                loan_id,customer_id,customer_name,officer_id,officer_name,region,branch,loan_amount,disbursement_date,maturity_date,loan_term_days,interest_rate,channel,status
                L1,C1,Ben,O1,Ada,North,Kano,"1,000.00",2024-10-01,2024-10-31,thirty,0.1,Direct,Active
                """
            let summary = try await IngestCommand.ingest([(try Self.write(loans, "loans.csv"), .loan)], pool: db.pool)
            #expect(summary.rejected == 1)
            let reasons = try await db.pool.query("SELECT reasons::text AS r FROM etl_rejects")[0].decode(String.self, "r")
            #expect(reasons.contains("the CSV column 'loan_amount' holds '1,000.00', which is not a number"), "\(reasons)")
            #expect(reasons.contains("the CSV column 'loan_term_days' holds 'thirty', which is not a whole number"), "\(reasons)")
            #expect(!reasons.contains("not a string"), "\(reasons)")
        }
    }

    @Test("LineReader: a byte-order mark delivered in pieces (1- and 2-byte blocks), with CRLF lines, is skipped", arguments: [1, 2, 3, 1 << 20])
    func byteOrderMarkInPieces(blockSize: Int) throws {
        let path = try Self.write(Self.bom + "officer_id,officer_name\r\nO1,Ada\r\n", "crlf.csv")
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let reader = LineReader(handle: handle, blockSize: blockSize)
        var lines: [String] = []
        while let line = try reader.nextLine() { lines.append(String(decoding: line, as: UTF8.self)) }
        #expect(lines == ["officer_id,officer_name", "O1,Ada"])
    }

    @Test("a file that only starts like a byte-order mark keeps its bytes")
    func partialMarkKept() throws {
        // EF BB then 'x': the first two bytes of a mark, but no mark.
        let path = try ServerScript.makeDirectory("encoding") + "/almost.bin"
        try Data([0xEF, 0xBB, 0x78, 0x0A]).write(to: URL(fileURLWithPath: path))
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        let reader = LineReader(handle: handle, blockSize: 1)
        let line = try #require(try reader.nextLine())
        #expect(Array(line) == [0xEF, 0xBB, 0x78])
    }
}
