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
        case buffered([IngestEntry])
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
        case .buffered(var entries):
            guard !entries.isEmpty else {
                mode = .finished
                return nil
            }
            let first = entries.removeFirst()
            mode = .buffered(entries)
            return first
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

    /// Reads the first line: a complete JSON value there means NDJSON, else the input is one document.
    private func decide() throws -> IngestEntry? {
        while let line = try lines.nextLine() {
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            if let value = try? reader.parse(line), value.objectValue != nil, !(value.objectValue.map(BatchDecoder.isBatch) ?? false) {
                mode = .ndjson
                return IngestEntry(location: "line \(lines.lineNumber)", kind: nil, value: .success(value),
                                   raw: String(decoding: line, as: UTF8.self))
            }
            // A whole document: this line plus everything after it.
            var document = Array(line)
            document.append(10)
            document.append(contentsOf: try lines.readRemaining())
            mode = .buffered(try entries(ofDocument: document))
            return try nextEntry()
        }
        mode = .finished
        return nil
    }

    private func nextLineEntry() throws -> IngestEntry? {
        while let line = try lines.nextLine() {
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            let location = "line \(lines.lineNumber)"
            let raw = String(decoding: line, as: UTF8.self)
            do {
                let value = try reader.parse(line)
                return IngestEntry(location: location, kind: nil, value: .success(value), raw: raw)
            } catch {
                return IngestEntry(location: location, kind: nil,
                                   value: .failure(EntryParseError(message: "invalid JSON: \(error)")), raw: raw)
            }
        }
        mode = .finished
        return nil
    }

    private func entries(ofDocument bytes: [UInt8]) throws -> [IngestEntry] {
        let value: JSONValue
        do {
            value = try reader.parse(bytes)
        } catch {
            let raw = String(decoding: bytes.prefix(1 << 20), as: UTF8.self)
            return [IngestEntry(location: "document", kind: nil,
                                value: .failure(EntryParseError(message: "invalid JSON document: \(error)")), raw: raw)]
        }
        if let array = value.arrayValue {
            return array.enumerated().map { IngestEntry(location: "[\($0.offset)]", kind: nil, value: .success($0.element), raw: "") }
        }
        guard let object = value.objectValue, BatchDecoder.isBatch(object) else {
            return [IngestEntry(location: "document", kind: nil, value: .success(value), raw: "")]
        }
        var entries: [IngestEntry] = []
        // Master data first, so loans find their officers and repayments their loans.
        for kind in [RecordKind.officer, .customer, .teamMember, .loan, .repayment] {
            guard let list = object[kind.batchKey], !list.isNull else { continue }
            guard let elements = list.arrayValue else {
                entries.append(IngestEntry(location: kind.batchKey, kind: kind,
                                           value: .failure(EntryParseError(message: "\(kind.batchKey): must be an array, not \(list.kindDescription)")),
                                           raw: list.jsonText))
                continue
            }
            for (index, element) in elements.enumerated() {
                entries.append(IngestEntry(location: "\(kind.batchKey)[\(index)]", kind: kind, value: .success(element), raw: ""))
            }
        }
        return entries
    }
}

/// An input that cannot be read at all (missing file, empty CSV).
struct IngestInputError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
