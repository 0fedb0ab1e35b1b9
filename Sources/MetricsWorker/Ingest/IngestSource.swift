import AnalyticsCore
import Foundation

/// Turns one input (a file or standard input) into chunks of `IngestEntry`, in input order.
///
/// Shapes (INGEST.md): a single entity object, a batch object, a JSON array of entities, NDJSON
/// (one object per line, streamed in bounded memory), or CSV with a header row (`--csv TABLE`).
/// A whole JSON document is detected when its first line is not a complete JSON value.
final class IngestSource {
    /// `stdin` or the file's absolute path (`sourceName(for:)`), recorded in `etl_rejects.source`.
    let name: String

    /// How a path names its source in `etl_rejects`: `stdin` for `-`, else the absolute path with
    /// `.` and `..` resolved, so `loans.csv`, `./loans.csv` and `/data/loans.csv` loaded from
    /// `/data` are one source (its rejects are stored once, and `rejects --source` finds them
    /// under any of those spellings).
    static func sourceName(for path: String) -> String {
        path == "-" || path == "stdin" ? "stdin" : URL(fileURLWithPath: path).standardizedFileURL.path
    }
    /// The file size when known (for progress).
    let totalBytes: Int?
    private let lines: LineReader
    private var mode: Mode
    private let reader = JSONReader()

    private enum Mode {
        case undecided
        case ndjson
        case csv(kind: RecordKind, header: [String])
        /// A whole document's entries, and the position of the next one.
        case buffered([IngestEntry], next: Int)
        case finished
    }

    /// Opens `path` (`-` for standard input); `csvKind` selects CSV for that table.
    init(path: String, csvKind: RecordKind?) throws {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
            name = Self.sourceName(for: path)
            totalBytes = nil
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw IngestInputError(message: "cannot open '\(path)' for reading")
            }
            handle = opened
            name = Self.sourceName(for: path)
            totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        }
        lines = LineReader(handle: handle)
        if let csvKind {
            var csv = CSVReader(lines: lines)
            guard let header = try csv.next() else {
                throw IngestInputError(message: "\(name): the CSV file is empty (a header row is required)")
            }
            mode = .csv(kind: csvKind, header: header.fields.map { $0.trimmingCharacters(in: .whitespaces) })
        } else {
            mode = .undecided
        }
    }

    /// Bytes read so far.
    var bytesRead: Int { lines.bytesRead }

    /// The next chunk of at most `limit` entries, or nil when the input is exhausted.
    func nextChunk(limit: Int) throws -> [IngestEntry]? {
        var chunk: [IngestEntry] = []
        while chunk.count < limit, let entry = try nextEntry() {
            chunk.append(entry)
        }
        return chunk.isEmpty ? nil : chunk
    }

    private func nextEntry() throws -> IngestEntry? {
        switch mode {
        case .finished:
            return nil
        case .buffered(let entries, let next):
            guard next < entries.count else {
                mode = .finished
                return nil
            }
            mode = .buffered(entries, next: next + 1)
            return entries[next]
        case .ndjson:
            return try nextLineEntry()
        case .csv(let kind, let header):
            var csv = CSVReader(lines: lines)
            do {
                guard let record = try csv.next() else {
                    mode = .finished
                    return nil
                }
                return CSVRecordMapper.entry(kind: kind, header: header, fields: record.fields,
                                             raw: record.raw, line: csv.recordLine)
            } catch let error as CSVError {
                mode = .finished
                return IngestEntry(location: "line \(error.line)", kind: kind,
                                   value: .failure(EntryParseError(message: "CSV: \(error.message)")), raw: "")
            }
        case .undecided:
            return try decide()
        }
    }

    /// Reads the first line: a complete JSON object there means NDJSON, else the input is one document.
    private func decide() throws -> IngestEntry? {
        while let line = try lines.nextLine() {
            if IngestInput.isBlank(line) { continue }
            let first = IngestInput.lineEntry(line, number: lines.lineNumber, reader: reader)
            if IngestInput.startsNDJSON(first) {
                mode = .ndjson
                return first
            }
            // A whole document: this line plus everything after it.
            var document = Array(line)
            document.append(10)
            document.append(contentsOf: try lines.readRemaining())
            do {
                mode = .buffered(try IngestInput.documentEntries(document, reader: reader), next: 0)
            } catch {
                mode = .buffered([IngestInput.unreadableDocument(document, error)], next: 0)
            }
            return try nextEntry()
        }
        mode = .finished
        return nil
    }

    private func nextLineEntry() throws -> IngestEntry? {
        while let line = try lines.nextLine() {
            if IngestInput.isBlank(line) { continue }
            return IngestInput.lineEntry(line, number: lines.lineNumber, reader: reader)
        }
        mode = .finished
        return nil
    }
}

/// An input that cannot be read at all (missing file, empty CSV).
struct IngestInputError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
