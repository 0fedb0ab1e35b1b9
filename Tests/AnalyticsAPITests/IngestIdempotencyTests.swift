@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `Idempotency-Key` on `POST /api/v1/ingest`, as on `POST .../actions`: a retry returns the first
/// response and loads nothing again; the key with another body is a 422; a key still running, 409.
@Suite("Ingest Idempotency-Key")
struct IngestIdempotencyTests {
    typealias R = IngestRecords

    @Test("the same key twice: one batch, the identical response, nothing loaded twice; another body or type with it: 422")
    func retry() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest", subject: "lender")
            let body = R.ndjson([R.officer("O1"), R.loan("L1", officer: "O1"), R.repayment("P1", loan: "L1"), R.repayment("P2", loan: "ZZ")])
            try await app.application.test(.router) { client in
                let first = try await IngestCalls.post(client, body, headers: headers, key: "key-1")
                #expect(first.status == .ok)
                let marks = try await db.count("SELECT count(*)::int AS n FROM live_changes")
                let second = try await IngestCalls.post(client, body, headers: headers, key: "key-1")
                #expect(second.status == .ok)
                #expect(Array(second.body.readableBytesView) == Array(first.body.readableBytesView))
                #expect(try await db.count("SELECT count(*)::int AS n FROM live_changes") == marks)
                // The same body split differently on the wire is the same request; another body is not.
                let changed = body.replacingOccurrences(of: "100.00", with: "101.00")
                let other = try await IngestCalls.post(client, changed, headers: headers, key: "key-1")
                #expect(other.status == .unprocessableContent)
                let asJSON = try await IngestCalls.post(client, "[\(R.officer("O1"))]", type: "application/json", headers: headers, key: "key-1")
                #expect(asJSON.status == .unprocessableContent)
                // Keys belong to their subject: another subject's same key is its own.
                let otherSubject = try await app.headers("ingest", subject: "other-lender")
                let theirs = try await IngestCalls.post(client, body, headers: otherSubject, key: "key-1")
                #expect(theirs.status == .ok)
                let theirData = try Body.data(theirs)
                #expect(IngestCalls.count(theirData, "unchanged", "loans") == 1)
                // A key used on POST .../actions is another request.
                var action = try await app.jsonHeaders("admin", subject: "lender")
                action[.idempotencyKey] = "key-1"
                let acted = try await client.execute(uri: "/api/v1/audit/officers/O1/actions", method: .post, headers: action,
                                                     body: ByteBuffer(string: "{\"action_type\":\"Review\"}"))
                #expect(acted.status == .unprocessableContent)
            }
            #expect(try await db.count("SELECT count(*)::int AS n FROM ingest_batches WHERE subject = 'lender'") == 1)
            #expect(try await db.count("SELECT count(*)::int AS n FROM repayments") == 1)
            #expect(try await db.count("SELECT count(*)::int AS n FROM etl_rejects") == 2)
        }
    }

    @Test("a key whose request is still running is a 409; one that failed is given up, and its retry runs")
    func runningAndFailed() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let repository = PostgresIngestRepository(pool: db.pool)
            let headers = try await app.headers("ingest", subject: "lender")
            let running = IngestBatch(id: UUID().uuidString.lowercased(), subject: "lender", mediaType: .ndjson, scope: nil,
                                      idempotencyKey: "busy")
            #expect(try await repository.begin(running) == .started)
            try await app.application.test(.router) { client in
                let busy = try await IngestCalls.post(client, R.ndjson([R.officer("O1")]), headers: headers, key: "busy")
                #expect(busy.status == .conflict)
                try await repository.abandon(running, summary: Ingestor.Summary())
                let retried = try await IngestCalls.post(client, R.ndjson([R.officer("O1")]), headers: headers, key: "busy")
                #expect(retried.status == .ok)
            }
            #expect(try await db.count("SELECT count(*)::int AS n FROM ingest_batches WHERE status = 'failed'") == 1)
            #expect(try await db.count("SELECT count(*)::int AS n FROM ingest_batches WHERE status = 'completed'") == 1)
        }
    }

    @Test("a killed request's claim lapses: after its lease a retry runs, and the dead batch is marked failed")
    func lapsedClaim() async throws {
        try await TestDatabase.with { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest", subject: "lender")
            // A request that claimed its key and died before finishing (no abandon).
            let dead = IngestBatch(id: UUID().uuidString.lowercased(), subject: "lender", mediaType: .ndjson, scope: nil, idempotencyKey: "k")
            #expect(try await PostgresIngestRepository(pool: db.pool, claimLeaseSeconds: 1).begin(dead) == .started)
            try await Waiting.until("the claim's lease has passed") {
                try await db.count("SELECT count(*)::int AS n FROM api_idempotency_keys WHERE expires_at <= now()") == 1
            }
            try await app.application.test(.router) { client in
                let retried = try await IngestCalls.post(client, R.ndjson([R.officer("O1")]), headers: headers, key: "k")
                #expect(retried.status == .ok)
            }
            let status = try await db.pool.query("SELECT status FROM ingest_batches WHERE batch_id = $1::uuid", [dead.id])[0]
                .decode(String.self, "status")
            #expect(status == "failed")
        }
    }

    @Test("concurrent requests with one key: one loads, the others get its response or 409, never a second batch")
    func concurrent() async throws {
        try await TestDatabase.with(poolSize: 12) { db in
            let app = try await TestApp.make(database: db)
            let headers = try await app.headers("ingest", subject: "lender")
            let body = R.ndjson((0..<300).map { R.officer("O\($0)") })
            try await app.application.test(.router) { client in
                let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, [UInt8]).self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            let response = try await IngestCalls.post(client, body, headers: headers, key: "same")
                            return (response.status, Array(response.body.readableBytesView))
                        }
                    }
                    var all: [(HTTPResponse.Status, [UInt8])] = []
                    for try await result in group { all.append(result) }
                    return all
                }
                let ok = statuses.filter { $0.0 == .ok }
                #expect(ok.count >= 1)
                #expect(statuses.allSatisfy { $0.0 == .ok || $0.0 == .conflict })
                #expect(Set(ok.map(\.1)).count == 1, "every 200 is the one response")
            }
            #expect(try await db.count("SELECT count(*)::int AS n FROM ingest_batches") == 1)
        }
    }
}
