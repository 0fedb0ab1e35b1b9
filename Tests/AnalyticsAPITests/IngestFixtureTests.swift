@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The shared fixture (`shared/fixtures/small`) sent through `POST /api/v1/ingest` in random
/// pieces, in a random order that keeps each repayment after its loan (officers and customers may
/// come after the loans that name them), each piece in a random shape; then the worker's
/// full refresh at each fixture date must give exactly the expected loan, officer and branch rows.
@Suite("The shared fixture through POST /api/v1/ingest")
struct IngestFixtureTests {
    @Test("random chunks, orders and shapes, then full-refresh: zero differences from the expected rows", arguments: [14, 15, 16] as [UInt64])
    func fixtureThroughHTTP(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let requests = try Self.requests(random: &random)
        try await TestDatabase.with(poolSize: 4) { db in
            var app = try await TestApp.make(database: db)
            app.dependencies.ingestChunkSize = Int.random(in: 3...40, using: &random)
            let headers = try await app.headers("ingest", subject: "lender-system")
            let accepted = try await app.application.test(.router) { client in
                var accepted = 0
                for (body, type) in requests {
                    let data = try await IngestCalls.load(client, body, type: type, headers: headers)
                    #expect(IngestCalls.number(data, "rejected") == 0, "\(data["rejects"]?.jsonText ?? "")")
                    accepted += IngestCalls.number(data, "accepted") ?? 0
                }
                return accepted
            }
            #expect(accepted == 390)
            for date in FixtureDatabase.dates {
                try await FixtureDatabase.runWorker(["full-refresh", "--as-of", date], database: db)
                let problems = try await ExpectedFixture.differences(date: date, pool: db.pool)
                #expect(problems.isEmpty, "seed \(seed) at \(date): \(problems.count) differences, first: \(problems.prefix(10).joined(separator: "\n"))")
            }
        }
    }

    /// The fixture's records as request bodies: (body, Content-Type).
    static func requests(random: inout SplitMix64) throws -> [(String, String)] {
        let input = try Expected.input()
        var records: [(RecordKind, JSONObject)] = []
        for kind in [RecordKind.officer, .customer, .teamMember, .loan] {
            records += (input[kind.batchKey]?.arrayValue ?? []).compactMap(\.objectValue).map { (kind, $0) }
        }
        records.shuffle(using: &random)
        // Each repayment somewhere after its loan.
        for repayment in (input["repayments"]?.arrayValue ?? []).compactMap(\.objectValue) {
            let loan = try #require(records.firstIndex { $0.0 == .loan && $0.1["loan_id"] == repayment["loan_id"] })
            records.insert((.repayment, repayment), at: Int.random(in: (loan + 1)...records.count, using: &random))
        }
        #expect(records.count == 390)
        var requests: [(String, String)] = []
        var start = 0
        while start < records.count {
            let end = min(records.count, start + Int.random(in: 1...60, using: &random))
            let piece = records[start..<end]
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                // NDJSON, some records naming their type, others left to inference.
                let lines = piece.map { kind, object in Self.typed(object, kind, random: &random).jsonText }
                requests.append((lines.joined(separator: Bool.random(using: &random) ? "\n" : "\r\n") + "\n", "application/x-ndjson"))
            case 1:
                // A batch object, its lists in an arbitrary order.
                var lists: [RecordKind: [JSONValue]] = [:]
                for (kind, object) in piece { lists[kind, default: []].append(.object(object)) }
                let members = lists.map { JSONObject.Member(key: $0.key.batchKey, value: .array($0.value)) }.shuffled(using: &random)
                requests.append((JSONValue.object(JSONObject(members: members)).jsonText, "application/json"))
            default:
                let elements = piece.map { kind, object in Self.typed(object, kind, random: &random) }
                let body = elements.count == 1 && Bool.random(using: &random) ? elements[0].jsonText : JSONValue.array(elements).jsonText
                requests.append((body, "application/json"))
            }
            start = end
        }
        return requests
    }

    /// The record with `"type"` added half of the time.
    static func typed(_ object: JSONObject, _ kind: RecordKind, random: inout SplitMix64) -> JSONValue {
        guard Bool.random(using: &random) else { return .object(object) }
        return .object(JSONObject(members: [JSONObject.Member(key: "type", value: .string(kind.rawValue))] + object.members))
    }
}
