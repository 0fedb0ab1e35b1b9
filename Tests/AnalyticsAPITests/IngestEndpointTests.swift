@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /api/v1/ingest` on a database of each test's own: every shape, the response, rejects and
/// their pages, the limits and content types, and records sent again.
@Suite("POST /api/v1/ingest")
struct IngestEndpointTests {
    typealias R = IngestRecords

    @Test("each shape loads: one record, a batch object (any order of its lists), an array, NDJSON")
    func shapes() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest")
            try await app.application.test(.router) { client in
                let one = try await IngestCalls.load(client, R.officer("O1"), type: "application/json", headers: headers)
                #expect(IngestCalls.count(one, "inserted", "officers") == 1)
                #expect(one["rejects"] == .array([]))
                // Repayments listed before their loans: a batch object loads loans first.
                let batch = #"{"repayments":[\#(R.repayment("P1", loan: "L1"))],"loans":[\#(R.loan("L1", officer: "O1"))],"#
                    + #""customers":[\#(R.customer("C1"))]}"#
                let loaded = try await IngestCalls.load(client, batch, type: "application/json", headers: headers)
                #expect(IngestCalls.number(loaded, "accepted") == 3)
                #expect(IngestCalls.count(loaded, "inserted", "loans") == 1)
                #expect(IngestCalls.count(loaded, "inserted", "repayments") == 1)
                #expect(IngestCalls.count(loaded, "inserted", "customers") == 1)
                let array = "[\(R.officer("O2")),\(R.loan("L2", officer: "O2")),\(R.repayment("P2", loan: "L2"))]"
                let fromArray = try await IngestCalls.load(client, array, type: "application/json", headers: headers)
                #expect(IngestCalls.number(fromArray, "accepted") == 3)
                let ndjson = R.ndjson([R.officer("O3"), R.loan("L3", officer: "O3"), R.repayment("P3", loan: "L3"), R.teamMember("TM9")])
                let fromLines = try await IngestCalls.load(client, ndjson, headers: headers)
                #expect(IngestCalls.number(fromLines, "accepted") == 4)
                #expect(try Body.object(try await IngestCalls.post(client, ndjson, headers: headers))["success"] == .bool(true))
            }
            #expect(try await db.count("SELECT count(*)::int AS n FROM officers") == 3)
            #expect(try await db.count("SELECT count(*)::int AS n FROM loan_accounts") == 3)
            #expect(try await db.count("SELECT count(*)::int AS n FROM repayments") == 3)
            #expect(try await db.count("SELECT count(*)::int AS n FROM team_members") == 1)
            // Every request is a completed batch of the token's subject.
            #expect(try await db.count("SELECT count(*)::int AS n FROM ingest_batches WHERE status = 'completed' AND subject = 'tester'") == 5)
        }
    }

    @Test("a record sent again in a second request changes nothing; a changed one updates its row")
    func sentTwice() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest")
            let body = R.ndjson([R.officer("O1"), R.loan("L1", officer: "O1"), R.repayment("P1", loan: "L1")])
            try await app.application.test(.router) { client in
                _ = try await IngestCalls.load(client, body, headers: headers)
                let marks = try await db.count("SELECT count(*)::int AS n FROM live_changes")
                let stamp = try await db.pool.query("SELECT source_changed_at::text AS t FROM loan_sources")[0].decode(String.self, "t")
                let again = try await IngestCalls.load(client, body, headers: headers)
                #expect(IngestCalls.number(again, "accepted") == 3)
                for kind in ["officers", "loans", "repayments"] {
                    #expect(IngestCalls.count(again, "inserted", kind) == 0)
                    #expect(IngestCalls.count(again, "updated", kind) == 0)
                    #expect(IngestCalls.count(again, "unchanged", kind) == 1)
                }
                // Nothing written means nothing for the daemon to redo.
                #expect(try await db.count("SELECT count(*)::int AS n FROM live_changes") == marks)
                #expect(try await db.pool.query("SELECT source_changed_at::text AS t FROM loan_sources")[0].decode(String.self, "t") == stamp)
                let changed = try await IngestCalls.load(client, R.loan("L1", officer: "O1", amount: "1200.00"), type: "application/json",
                                                         headers: headers)
                #expect(IngestCalls.count(changed, "updated", "loans") == 1)
            }
            #expect(try await db.pool.query("SELECT loan_amount::text AS a FROM loan_accounts")[0].decode(String.self, "a") == "1200.00")
        }
    }

    @Test("rejects: 200 with success false, the first 100 listed with index, location, id and reasons; all stored and paged in input order")
    func rejectsPaged() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest", subject: "lender-system")
            // 250 repayments of an unknown loan between valid officers, one line that is not JSON.
            var lines: [String] = []
            for i in 0..<250 {
                lines.append(R.officer("O\(i)"))
                lines.append(R.repayment("P\(i)", loan: "NOPE"))
            }
            lines.insert("{not json", at: 7)
            let body = R.ndjson(lines)
            try await app.application.test(.router) { client in
                let response = try await IngestCalls.post(client, body, headers: headers)
                #expect(response.status == .ok)
                let object = try Body.object(response)
                #expect(object["success"] == .bool(false))
                let data = try #require(object["data"]?.objectValue)
                #expect(IngestCalls.number(data, "accepted") == 250)
                #expect(IngestCalls.number(data, "rejected") == 251)
                let list = try #require(data["rejects"]?.arrayValue)
                let shown = list.compactMap(\.objectValue)
                #expect(shown.count == 100)
                let first = try #require(shown.first)
                #expect(first["index"] == .number("1"))
                #expect(first["location"] == .string("line 2"))
                #expect(first["entity_type"] == .string("repayment"))
                #expect(first["entity_id"] == .string("P0"))
                let reason = try #require(first["reasons"]?.arrayValue?.first?.objectValue)
                #expect(reason["field"] == .string("loan_id"))
                #expect(reason["message"]?.stringValue?.contains("NOPE") == true)
                #expect(shown[3]["location"] == .string("line 8"))
                #expect(shown[3]["entity_type"] == .null)
                let batch = try #require(data["batch_id"]?.stringValue)
                var seen: [Int] = []
                for page in 1...3 {
                    let listed = try await IngestCalls.rejects(client, batch: batch, query: "?page=\(page)&per_page=100", headers: headers)
                    #expect(listed.status == .ok)
                    let meta = try Body.meta(listed)
                    #expect(meta["total"] == .number("251"))
                    #expect(meta["total_pages"] == .number("3"))
                    #expect(meta["status"] == .string("completed"))
                    #expect(meta["batch_id"] == .string(batch))
                    seen += try Body.rows(listed).compactMap { $0["index"]?.numberText.flatMap { Int($0) } }
                }
                #expect(seen.count == 251)
                #expect(seen == seen.sorted())
                #expect(Set(seen).count == 251)
                // The first page repeats the POST's list.
                let page1 = try Body.rows(try await IngestCalls.rejects(client, batch: batch, query: "?per_page=100", headers: headers))
                #expect(page1.map { JSONValue.object($0) } == shown.map { JSONValue.object($0) })
            }
            // Nothing lost: every reject is in etl_rejects under the batch's source, whole.
            let stored = try await db.count("SELECT count(*)::int AS n FROM etl_rejects WHERE source LIKE 'api:%' AND payload <> ''")
            #expect(stored == 251)
        }
    }

    @Test("metrics-worker rejects lists an API batch's rejects under --source api:<batch_id>")
    func workerListsBatch() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest")
            let batch = try await app.application.test(.router) { client in
                let data = try await IngestCalls.load(client, R.ndjson([R.repayment("P1", loan: "GHOST")]), headers: headers)
                return try #require(data["batch_id"]?.stringValue)
            }
            let result = try await ProcessRunner.run(try TestEnvironment.value("TEST_WORKER_BIN"),
                                                     ["rejects", "--source", "api:\(batch)", "--format", "json"],
                                                     environment: ["DATABASE_URL": db.configuration.url, "LOG_LEVEL": "warning"])
            #expect(result.status == 0, "\(result.output)")
            let rows = try #require(try JSONReader().parse(result.output).arrayValue?.compactMap(\.objectValue))
            #expect(rows.count == 1)
            #expect(rows.first?["source"] == .string("api:\(batch)"))
            #expect(rows.first?["entity_id"] == .string("P1"))
        }
    }

    @Test("a browser-like client: charset=utf-8, CRLF line ends, a byte-order mark, blank lines; JSON with a BOM too")
    func browserLikeClient() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest")
            try await app.application.test(.router) { client in
                let body = "\u{FEFF}" + [R.officer("O1"), "", R.officer("O2", name: "Émile Ọlá"), "  "].joined(separator: "\r\n") + "\r\n"
                let data = try await IngestCalls.load(client, body, type: "application/x-ndjson; charset=utf-8", headers: headers)
                #expect(IngestCalls.number(data, "accepted") == 2)
                #expect(IngestCalls.number(data, "rejected") == 0)
                let json = try await IngestCalls.load(client, "\u{FEFF}[\(R.officer("O3"))]", type: "Application/JSON; Charset=\"UTF-8\"",
                                                      headers: headers)
                #expect(IngestCalls.number(json, "accepted") == 1)
            }
            let names = try await db.pool.query("SELECT officer_name FROM officers ORDER BY officer_id").map { try $0.decode(String.self, "officer_name") }
            #expect(names == ["Ada Obi", "Émile Ọlá", "Ada Obi"])
        }
    }

    @Test("400 when the body is not the declared type; 415 for another type or charset; 413 over INGEST_MAX_BYTES; nothing loaded")
    func refusals() async throws {
        try await TestDatabase.with { db in
            var app = try await TestApp.make(database: db)
            app.dependencies.ingestMaxBytes = 4096
            let headers = try await app.headers("ingest")
            try await app.application.test(.router) { client in
                let cases: [(String, String, HTTPResponse.Status)] = [
                    (R.ndjson([R.officer("O1"), R.officer("O2")]), "application/json", .badRequest),
                    ("{\"officer_id\": ", "application/json", .badRequest),
                    ("", "application/json", .badRequest),
                    ("hello\n" + R.officer("O1"), "application/x-ndjson", .badRequest),
                    ("[1,2]\n", "application/x-ndjson", .badRequest),
                    (#"{"officers":[\#(R.officer("O1"))]}"#, "application/x-ndjson", .badRequest),
                    (R.officer("O1"), "text/plain", .unsupportedMediaType),
                    (R.officer("O1"), "application/json; charset=latin1", .unsupportedMediaType),
                    (R.officer("O1"), "multipart/form-data", .unsupportedMediaType),
                    (R.ndjson(Array(repeating: R.officer("O1"), count: 60)), "application/x-ndjson", .contentTooLarge),
                    ("[" + Array(repeating: R.officer("O1"), count: 60).joined(separator: ",") + "]", "application/json", .contentTooLarge),
                ]
                for (body, type, status) in cases {
                    let response = try await IngestCalls.post(client, body, type: type, headers: headers)
                    #expect(response.status == status, "\(type): \(body.prefix(40))")
                    #expect(try Body.object(response)["success"] == .bool(false))
                }
                var noType = headers
                noType[.contentType] = nil
                let response = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: noType, body: ByteBuffer(string: "{}"))
                #expect(response.status == .unsupportedMediaType)
                var json = headers
                json[.contentType] = "application/json"
                let unknownParameter = try await client.execute(uri: "/api/v1/ingest?dry_run=1", method: .post, headers: json,
                                                                body: ByteBuffer(string: R.officer("O1")))
                #expect(unknownParameter.status == .badRequest)
            }
            #expect(try await db.count("SELECT count(*)::int AS n FROM officers") == 0)
            #expect(try await db.count("SELECT count(*)::int AS n FROM ingest_batches") == 0)
            #expect(try await db.count("SELECT count(*)::int AS n FROM etl_rejects") == 0)
        }
    }

    @Test("a value the database cannot hold is a reject naming the field, never a 500: NUL, over-long text, an over-long id")
    func unstorableValues() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest")
            let longID = String(repeating: "x", count: 300)
            let lines = [
                #"{"type":"officer","officer_id":"O1","officer_name":"A\u0000B","region":"North","branch":"Kano"}"#,
                R.officer("O2", name: String(repeating: "n", count: 256)),
                R.officer(longID),
                #"{"type":"officer","officer_id":"O3\u0000","officer_name":"Ada","region":"North","branch":"Kano","hire_date":"2024-\u0000"}"#,
                R.officer("O4", name: String(repeating: "é", count: 255)),
            ]
            try await app.application.test(.router) { client in
                let data = try await IngestCalls.load(client, R.ndjson(lines), headers: headers)
                #expect(IngestCalls.number(data, "accepted") == 1)
                #expect(IngestCalls.number(data, "rejected") == 4)
                let reasons = (data["rejects"]?.arrayValue ?? []).map(\.jsonText).joined()
                #expect(reasons.contains("officer_name: must not contain NUL"))
                #expect(reasons.contains("officer_name: must be at most 255 characters, got 256"))
                #expect(reasons.contains("officer_id: must be at most 50 characters, got 300"))
            }
            let ids = try await db.pool.query("SELECT entity_id FROM etl_rejects ORDER BY record_index").map { try $0.decode(String?.self, "entity_id") }
            #expect(ids.count == 4)
            #expect(ids[2]?.count == 255)
            #expect(try await db.count("SELECT count(*)::int AS n FROM officers WHERE officer_id = 'O4'") == 1)
        }
    }
}
