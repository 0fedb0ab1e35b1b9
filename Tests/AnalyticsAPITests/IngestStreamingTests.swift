@testable import AnalyticsAPI
import AnalyticsCore
import AnalyticsStore
import AnalyticsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// NDJSON read as it arrives: a body in many pieces (split anywhere, a byte-order mark and CRLF
/// cut in two), through the body reader and through a live socket with chunked transfer encoding.
@Suite("Ingest streaming")
struct IngestStreamingTests {
    typealias R = IngestRecords

    /// `bytes` cut at random points into pieces of 1...`maximum` bytes.
    static func pieces(_ bytes: [UInt8], seed: UInt64, maximum: Int) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        var result: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let length = min(bytes.count - start, Int.random(in: 1...maximum, using: &random))
            result.append(Array(bytes[start..<(start + length)]))
            start += length
        }
        return result
    }

    /// What the body reader makes of `pieces`: every entry's location and raw text, and the hash.
    static func read(_ pieces: [[UInt8]], type: IngestMediaType, limit: Int = 1 << 20) async throws -> ([String], String) {
        let stream = AsyncStream<ByteBuffer> { continuation in
            for piece in pieces { continuation.yield(ByteBuffer(bytes: piece)) }
            continuation.finish()
        }
        var reader = IngestBodyReader(stream, maximumBytes: limit, digest: StreamingDigest(parts: CanonicalDigest()))
        try await reader.start(type)
        var seen: [String] = []
        while let entries = try await reader.nextEntries(limit: 7) {
            seen += entries.map { "\($0.location) \($0.raw.isEmpty ? ($0.object.map { JSONValue.object($0).jsonText } ?? "") : $0.raw)" }
        }
        return (seen, reader.digest.finalize())
    }

    @Test("the body reader gives the same records and the same hash however the body is cut", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func splitAnywhere(seed: UInt64) async throws {
        let lines = (0..<40).map { R.officer("O\($0)", name: "Ọlá \($0)") }
        let body = Array(("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n\r\n" + R.officer("LAST")).utf8)
        let whole = try await Self.read([body], type: .ndjson)
        #expect(whole.0.count == 41)
        #expect(whole.0.first == "line 1 " + lines[0])
        #expect(whole.0.last == "line 42 " + R.officer("LAST"), "line 41 is blank")
        for maximum in [1, 2, 3, 17, 400] {
            let split = try await Self.read(Self.pieces(body, seed: seed, maximum: maximum), type: .ndjson)
            #expect(split.0 == whole.0, "pieces of up to \(maximum) bytes")
            #expect(split.1 == whole.1)
        }
        // A JSON document cut into pieces reads as the whole.
        let document = Array(("\u{FEFF}[" + lines.joined(separator: ",") + "]").utf8)
        let json = try await Self.read([document], type: .json)
        #expect(json.0.count == 40)
        #expect(try await Self.read(Self.pieces(document, seed: seed, maximum: 3), type: .json).0 == json.0)
        // Over the limit: 413, however it is cut.
        await #expect(throws: APIError.self) { _ = try await Self.read(Self.pieces(body, seed: seed, maximum: 50), type: .ndjson, limit: 1000) }
    }

    @Test("a live socket, chunked transfer encoding, many pieces: every record loads; the same body cut otherwise is the same request")
    func liveChunked() async throws {
        try await TestDatabase.with(poolSize: 6) { db in
            var app = try await TestApp.make(database: db)
            app.dependencies.ingestChunkSize = 250
            let token = try await app.token("ingest")
            var lines: [String] = []
            for i in 0..<1_000 {
                lines.append(R.officer("O\(i)"))
                lines.append(R.loan("L\(i)", officer: "O\(i)", customer: "C\(i)"))
                lines.append(R.repayment("P\(i)", loan: "L\(i)"))
            }
            let body = Array(("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n").utf8)
            let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/x-ndjson; charset=utf-8"),
                           ("Idempotency-Key", "stream-1")]
            try await app.application.test(.live) { client in
                let port = try #require(client.port)
                let first = try #require(try await RawHTTPClient.post(port: port, path: "/api/v1/ingest", headers: headers,
                                                                      pieces: Self.pieces(body, seed: 11, maximum: 4_000), chunked: true))
                #expect(first.status == 200, "\(String(decoding: first.body, as: UTF8.self))")
                let data = try #require(try JSONReader().parse(first.body).objectValue?["data"]?.objectValue)
                #expect(IngestCalls.number(data, "accepted") == 3_000)
                #expect(IngestCalls.number(data, "rejected") == 0)
                #expect(IngestCalls.count(data, "inserted", "repayments") == 1_000)
                let again = try #require(try await RawHTTPClient.post(port: port, path: "/api/v1/ingest", headers: headers,
                                                                      pieces: Self.pieces(body, seed: 12, maximum: 9_000), chunked: false))
                #expect(again.status == 200)
                #expect(again.body == first.body)
            }
            #expect(try await db.pool.query("SELECT count(*)::int AS n FROM repayments")[0].decode(Int.self, "n") == 1_000)
            #expect(try await db.pool.query("SELECT count(*)::int AS n FROM ingest_batches")[0].decode(Int.self, "n") == 1)
        }
    }

    @Test("a chunked body that grows past INGEST_MAX_BYTES: 413 naming the batch that holds what came before; its key is given up")
    func limitMidStream() async throws {
        try await TestDatabase.with(poolSize: 6) { db in
            var app = try await TestApp.make(database: db)
            app.dependencies.ingestChunkSize = 10
            app.dependencies.ingestMaxBytes = 20_000
            let token = try await app.token("ingest")
            let body = Array(R.ndjson((0..<400).map { R.officer("O\($0)") }).utf8)
            let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/x-ndjson"), ("Idempotency-Key", "big")]
            try await app.application.test(.live) { client in
                let port = try #require(client.port)
                let response = try #require(try await RawHTTPClient.post(port: port, path: "/api/v1/ingest", headers: headers,
                                                                         pieces: Self.pieces(body, seed: 3, maximum: 1_000), chunked: true))
                #expect(response.status == 413)
                let message = String(decoding: response.body, as: UTF8.self)
                #expect(message.contains("INGEST_MAX_BYTES"))
                #expect(message.contains("were loaded as batch"), "\(message)")
            }
            let loaded = try await db.pool.query("SELECT count(*)::int AS n FROM officers")[0].decode(Int.self, "n")
            #expect(loaded > 0 && loaded < 400)
            let batch = try await db.pool.query("SELECT status, accepted FROM ingest_batches")
            #expect(batch.count == 1)
            #expect(try batch[0].decode(String.self, "status") == "failed")
            #expect(try batch[0].decode(Int.self, "accepted") == loaded)
            #expect(try await db.pool.query("SELECT count(*)::int AS n FROM api_idempotency_keys")[0].decode(Int.self, "n") == 0)
        }
    }

    @Test("a client that hangs up mid-body: the chunks read so far stay, the batch fails, the key is free; the retry loads the rest")
    func clientHangsUp() async throws {
        try await TestDatabase.with(poolSize: 6) { db in
            var app = try await TestApp.make(database: db)
            app.dependencies.ingestChunkSize = 20
            let token = try await app.token("ingest")
            let body = Array(R.ndjson((0..<600).map { R.officer("O\($0)") }).utf8)
            let pieces = Self.pieces(body, seed: 5, maximum: 2_000)
            let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/x-ndjson"), ("Idempotency-Key", "nightly")]
            try await app.application.test(.live) { client in
                let port = try #require(client.port)
                try await RawHTTPClient.post(port: port, path: "/api/v1/ingest", headers: headers, pieces: pieces, chunked: true,
                                             hangUpAfter: pieces.count / 2)
                try await Waiting.until("the abandoned batch is marked failed") {
                    try await db.pool.query("SELECT count(*)::int AS n FROM ingest_batches WHERE status = 'failed'")[0].decode(Int.self, "n") == 1
                }
                let partial = try await db.pool.query("SELECT count(*)::int AS n FROM officers")[0].decode(Int.self, "n")
                #expect(partial < 600)
                let retry = try #require(try await RawHTTPClient.post(port: port, path: "/api/v1/ingest", headers: headers,
                                                                      pieces: pieces, chunked: true))
                #expect(retry.status == 200, "\(String(decoding: retry.body, as: UTF8.self))")
                let data = try #require(try JSONReader().parse(retry.body).objectValue?["data"]?.objectValue)
                #expect(IngestCalls.number(data, "accepted") == 600)
                #expect(IngestCalls.count(data, "unchanged", "officers") == partial)
                #expect(IngestCalls.count(data, "inserted", "officers") == 600 - partial)
            }
            #expect(try await db.pool.query("SELECT count(*)::int AS n FROM officers")[0].decode(Int.self, "n") == 600)
        }
    }
}
