import AnalyticsCore
import Testing

/// The pure parts of the shared ingest path: line splitting, document entries, the scope checks.
@Suite("Ingest input and scope")
struct IngestInputTests {
    static func lines(_ pieces: [[UInt8]]) -> [String] {
        var splitter = LineSplitter()
        var out: [String] = []
        for piece in pieces {
            splitter.append(piece)
            while let line = splitter.nextLine() { out.append(String(decoding: line, as: UTF8.self)) }
        }
        splitter.finish()
        while let line = splitter.nextLine() { out.append(String(decoding: line, as: UTF8.self)) }
        return out
    }

    @Test("LineSplitter: LF and CRLF, a last line without a break, a byte-order mark in any pieces, a partial mark kept")
    func splitter() {
        let text = Array("\u{FEFF}a,b\r\nc\n\nd\r".utf8)
        for size in 1...text.count {
            let pieces = stride(from: 0, to: text.count, by: size).map { Array(text[$0..<min(text.count, $0 + size)]) }
            #expect(Self.lines(pieces) == ["a,b", "c", "", "d"], "pieces of \(size)")
        }
        #expect(Self.lines([[0xEF, 0xBB], [0x78, 0x0A]]) == [String(decoding: [0xEF, 0xBB, 0x78], as: UTF8.self)])
        #expect(Self.lines([[0xEF, 0xBB]]).map { Array($0.utf8) } == [Array(String(decoding: [0xEF, 0xBB], as: UTF8.self).utf8)])
        #expect(Self.lines([]) == [])
        var splitter = LineSplitter()
        splitter.append(Array("{\"a\":1}\n[".utf8))
        _ = splitter.nextLine()
        splitter.append(Array("2]".utf8))
        splitter.finish()
        #expect(splitter.remaining() == Array("[2]".utf8))
    }

    @Test("documentEntries: a batch object loads master data first; a record; an array; not JSON throws")
    func documents() throws {
        let batch = #"{"repayments":[{"repayment_id":"P"}],"officers":[{"officer_id":"O"}],"loans":"x"}"#
        let entries = try IngestInput.documentEntries(Array(batch.utf8))
        #expect(entries.map(\.location) == ["officers[0]", "loans", "repayments[0]"])
        #expect(try IngestInput.documentEntries(Array("[1,{}]".utf8)).map(\.location) == ["[0]", "[1]"])
        #expect(try IngestInput.documentEntries(Array("{\"officer_id\":\"O\"}".utf8)).map(\.location) == ["document"])
        #expect(throws: JSONError.self) { try IngestInput.documentEntries(Array("{\"a\":".utf8)) }
        #expect(IngestInput.startsNDJSON(IngestInput.lineEntry(Array("{\"officer_id\":\"O\"}".utf8)[...], number: 1)))
        #expect(!IngestInput.startsNDJSON(IngestInput.lineEntry(Array("{\"officers\":[]}".utf8)[...], number: 1)))
        #expect(!IngestInput.startsNDJSON(IngestInput.lineEntry(Array("[1]".utf8)[...], number: 1)))
    }

    static func entry(_ json: String) throws -> IngestEntry {
        IngestEntry(location: "x", kind: nil, value: .success(try JSONReader().parse(json)), raw: json)
    }

    static let loan = #"{"type":"loan","loan_id":"L","customer_id":"C","customer_name":"N","officer_id":"O","officer_name":"N","#
        + #""region":"North","branch":"Kano","loan_amount":100,"disbursement_date":"2024-01-01","maturity_date":"2024-02-01","#
        + #""loan_term_days":31,"channel":"Direct","status":"Active"}"#

    @Test("the scope rejects writes outside it, and lets through what is inside; no scope checks nothing")
    func scope() throws {
        let kano = try #require(IngestScope(regions: nil, branches: ["Kano"]))
        #expect(IngestScope(regions: nil, branches: nil) == nil)
        let entries = [try Self.entry(Self.loan)]
        #expect(IngestChunkDecoder.references(entries, scoped: true).officerIDs == ["O"])
        #expect(IngestChunkDecoder.references(entries, scoped: false).officerIDs.isEmpty)
        var known = IngestKnownRows()
        #expect(IngestChunkDecoder.decode(entries, known: known, scope: kano).loans.count == 1)
        known.loanPlacements["L"] = IngestPlacement(region: "South", branch: "Lagos")
        let outside = IngestChunkDecoder.decode(entries, known: known, scope: kano)
        #expect(outside.loans.isEmpty)
        #expect(outside.rejects.first?.problems.map(\.field) == ["loan_id"])
        #expect(IngestChunkDecoder.decode(entries, known: known, scope: nil).loans.count == 1)
        var inFlight = IngestChunk()
        inFlight.loans = IngestChunkDecoder.decode(entries, known: IngestKnownRows(), scope: nil).loans
        known.overlay(inFlight)
        #expect(IngestChunkDecoder.decode(entries, known: known, scope: kano).loans.count == 1, "the chunk being written moved it inside")
    }
}
