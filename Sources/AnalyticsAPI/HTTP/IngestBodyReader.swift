import AnalyticsCore
import NIOCore

/// Reads the body of `POST /api/v1/ingest` as it arrives and turns it into ingest entries with the
/// shared readers of AnalyticsCore (`LineSplitter`, `IngestInput`): NDJSON line by line, chunk by
/// chunk, never holding more than a chunk of records and one body part; a JSON document whole (it
/// cannot be parsed in pieces). Every byte goes through the request hash on its way, and the body
/// may not grow past `maximumBytes` (413).
struct IngestBodyReader<Parts: AsyncSequence> where Parts.Element == ByteBuffer {
    /// What the body holds once `start` has read its beginning.
    private enum Content {
        case unread
        /// NDJSON: the first record (read ahead to check the type), then the lines after it.
        case ndjson(first: IngestEntry?)
        /// A whole document's entries and the position of the next one.
        case document([IngestEntry], next: Int)
    }

    private var parts: Parts.AsyncIterator
    private var lines = LineSplitter()
    private var content = Content.unread
    private let reader = JSONReader()
    /// The request hash so far.
    private(set) var digest: StreamingDigest
    /// Body bytes received so far.
    private(set) var byteCount = 0
    /// The largest body accepted (`INGEST_MAX_BYTES`).
    let maximumBytes: Int

    init(_ parts: Parts, maximumBytes: Int, digest: StreamingDigest) {
        self.parts = parts.makeAsyncIterator()
        self.maximumBytes = maximumBytes
        self.digest = digest
    }

    /// The 413 of a body over `maximumBytes`.
    static func tooLarge(_ maximumBytes: Int) -> APIError {
        APIError(.payloadTooLarge, "the request body is over INGEST_MAX_BYTES (\(maximumBytes) bytes): send the records in several requests")
    }

    /// Reads the beginning of the body and checks that it is the declared type (400 otherwise):
    /// the first record line of NDJSON must be a JSON object (blank lines are skipped; an empty
    /// body holds no records), a JSON document must parse as a whole.
    mutating func start(_ type: IngestMediaType) async throws {
        switch type {
        case .ndjson:
            while let line = try await nextLine() {
                if IngestInput.isBlank(line) { continue }
                let first = IngestInput.lineEntry(line, number: lines.lineNumber, reader: reader)
                guard IngestInput.startsNDJSON(first) else {
                    let batch = first.object.map(BatchDecoder.isBatch) ?? false
                    throw APIError(.badRequest, batch
                        ? "line \(lines.lineNumber) is a batch object: send a batch object as Content-Type: application/json"
                        : "the body is not NDJSON: line \(lines.lineNumber) is not a JSON object (send one record object per line)")
                }
                content = .ndjson(first: first)
                return
            }
            content = .ndjson(first: nil)
        case .json:
            while let part = try await nextPart() { lines.append(part.readableBytesView) }
            lines.finish()
            do {
                // `remaining()`: the whole body, a byte-order mark at its start dropped.
                content = .document(try IngestInput.documentEntries(lines.remaining(), reader: reader), next: 0)
            } catch {
                throw APIError(.badRequest, "the body is not well-formed JSON: \(error)")
            }
        }
    }

    /// The next entries, at most `limit`; nil at the end of the body.
    mutating func nextEntries(limit: Int) async throws -> [IngestEntry]? {
        var entries: [IngestEntry] = []
        switch content {
        case .unread:
            preconditionFailure("start(_:) reads the body first")
        case .document(let all, let next):
            let end = min(all.count, next + limit)
            entries = Array(all[next..<end])
            content = .document(end == all.count ? [] : all, next: end == all.count ? 0 : end)
        case .ndjson(let first):
            if let first {
                entries.append(first)
                content = .ndjson(first: nil)
            }
            while entries.count < limit, let line = try await nextLine() {
                if IngestInput.isBlank(line) { continue }
                entries.append(IngestInput.lineEntry(line, number: lines.lineNumber, reader: reader))
            }
        }
        return entries.isEmpty ? nil : entries
    }

    /// Reads the rest of the body without keeping it (it still goes through the hash and the
    /// limit): for a request answered without loading it (a replay).
    mutating func drain() async throws {
        while try await nextPart() != nil {}
    }

    /// The next line of the body; nil at its end.
    private mutating func nextLine() async throws -> ArraySlice<UInt8>? {
        while true {
            if let line = lines.nextLine() { return line }
            if lines.isFinished { return nil }
            if let part = try await nextPart() {
                lines.append(part.readableBytesView)
            } else {
                lines.finish()
            }
        }
    }

    /// The next part of the body, counted and hashed; nil at its end.
    private mutating func nextPart() async throws -> ByteBuffer? {
        guard let part = try await parts.next() else { return nil }
        byteCount += part.readableBytes
        guard byteCount <= maximumBytes else { throw Self.tooLarge(maximumBytes) }
        digest.update(part)
        return part
    }
}
