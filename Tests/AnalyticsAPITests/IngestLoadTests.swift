@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /api/v1/ingest` under concurrent load (issue 14, part 4): more loads than the ingest pool
/// has connections, loads of one chunk and of several, and dashboard readers at the same time.
@Suite("POST /api/v1/ingest under concurrent load")
struct IngestLoadTests {
    typealias R = IngestRecords

    @Test("16 concurrent ingests on an ingest pool of 2, with readers: no 503, nothing lost or doubled")
    func concurrentIngestsAndReaders() async throws {
        // Both pools time out as a deployment's do (DATABASE_ACQUIRE_TIMEOUT_MS): a load holding one
        // connection while it waits for a second would leave the others waiting until a 503.
        try await TestDatabase.with(poolSize: 4, acquireTimeout: .seconds(5)) { db in
            let ingestPool = PostgresPool(configuration: db.configuration, maximumConnections: 2, acquireTimeout: .seconds(5),
                                          executor: db.executor, applicationName: "ingest-load-test")
            defer { ingestPool.shutdown() }
            var app = try await TestApp.make(database: db, ingestPool: ingestPool)
            // Three records per chunk: the seven-record bodies below take two connections at once.
            app.dependencies.ingestChunkSize = 3
            let ingest = try await app.headers("ingest", subject: "lender")
            let viewer = try await app.headers("viewer")
            let singles = 12, multis = 4, readers = 4, reads = 10
            try await app.application.test(.router) { client in
                _ = try await IngestCalls.load(client, R.ndjson([R.officer("O0"), R.loan("L0", officer: "O0")]), headers: ingest)
                let statuses = try await withThrowingTaskGroup(of: [(String, HTTPResponse.Status, String)].self) { group in
                    for i in 0..<singles {
                        group.addTask {
                            // One repayment, as the lending system pushes them; every other one with a key.
                            let response = try await IngestCalls.post(client, R.repayment("P\(i)", loan: "L0"), type: "application/json",
                                                                      headers: ingest, key: i.isMultiple(of: 2) ? "single-\(i)" : nil)
                            return [("single \(i)", response.status, String(buffer: response.body))]
                        }
                    }
                    for i in 0..<multis {
                        group.addTask {
                            var records = [R.officer("MO\(i)")]
                            for j in 0..<3 {
                                records.append(R.loan("ML\(i)-\(j)", officer: "MO\(i)", customer: "MC\(i)"))
                                records.append(R.repayment("MP\(i)-\(j)", loan: "ML\(i)-\(j)"))
                            }
                            let response = try await IngestCalls.post(client, R.ndjson(records), headers: ingest, key: "multi-\(i)")
                            return [("multi \(i)", response.status, String(buffer: response.body))]
                        }
                    }
                    for r in 0..<readers {
                        group.addTask {
                            var results: [(String, HTTPResponse.Status, String)] = []
                            for _ in 0..<reads {
                                let response = try await client.execute(uri: "/api/v1/metrics/officers", method: .get, headers: viewer)
                                results.append(("reader \(r)", response.status, String(buffer: response.body)))
                            }
                            return results
                        }
                    }
                    var all: [(String, HTTPResponse.Status, String)] = []
                    for try await results in group { all += results }
                    return all
                }
                #expect(statuses.count == singles + multis + readers * reads)
                for (name, status, body) in statuses where status != .ok {
                    Issue.record("\(name): \(status) \(body)")
                }
            }
            #expect(try await db.count("SELECT count(*)::int AS n FROM repayments") == singles + multis * 3)
            #expect(try await db.count("SELECT count(*)::int AS n FROM loan_accounts") == 1 + multis * 3)
            #expect(try await db.count("SELECT count(*)::int AS n FROM ingest_batches WHERE status = 'completed'")
                    == 1 + singles + multis)
            #expect(try await db.count("SELECT count(*)::int AS n FROM api_idempotency_keys WHERE status_code = 200")
                    == singles / 2 + multis)
            #expect(ingestPool.statistics.inUse == 0)
        }
    }
}
