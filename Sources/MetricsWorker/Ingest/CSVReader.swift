/// A streaming RFC 4180 CSV reader: fields separated by commas, optionally double-quoted (a quote
/// inside a quoted field is doubled), records separated by newlines, a quoted field may span lines.
///
/// Hand-written, though streaming packages exist (yaslab/CSV.swift reads an `InputStream` row by
/// row), because ingestion needs from each record what they do not give: its raw text, byte for
/// byte (a rejected record is stored whole in `etl_rejects`, INGEST.md), and the line on which it
/// starts (the reject's location; a quoted field may span lines, so it is not the row number). It
/// also reads the same `LineReader` as NDJSON input, so both formats share one bounded block
/// buffer and one byte count for progress, and an unclosed quote becomes one rejected record
/// instead of a failed load. Cells stay text: `CSVRecordMapper` keeps decimal text as written.
struct CSVReader {
    private let lines: LineReader
    /// The line on which the last record started.
    private(set) var recordLine = 0

    init(lines: LineReader) {
        self.lines = lines
    }

    /// The next record's fields and its raw text, or nil at the end. Throws on an unterminated quote.
    mutating func next() throws -> (fields: [String], raw: String)? {
        guard var line = try lines.nextLine() else { return nil }
        recordLine = lines.lineNumber
        var fields: [String] = []
        var field: [UInt8] = []
        var raw = Array(line)
        var inQuotes = false
        var i = line.startIndex
        while true {
            if i == line.endIndex {
                if inQuotes {
                    guard let more = try lines.nextLine() else {
                        throw CSVError(line: recordLine, message: "a quoted field is not closed before the end of the file")
                    }
                    field.append(10)
                    raw.append(10)
                    raw.append(contentsOf: more)
                    line = more
                    i = line.startIndex
                    continue
                }
                fields.append(String(decoding: field, as: UTF8.self))
                return (fields, String(decoding: raw, as: UTF8.self))
            }
            let byte = line[i]
            if inQuotes {
                if byte == 34 {
                    let next = line.index(after: i)
                    if next < line.endIndex, line[next] == 34 {
                        field.append(34)
                        i = line.index(after: next)
                        continue
                    }
                    inQuotes = false
                } else {
                    field.append(byte)
                }
            } else if byte == 34, field.isEmpty {
                inQuotes = true
            } else if byte == 44 {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(byte)
            }
            i = line.index(after: i)
        }
    }
}

/// A CSV file that cannot be read.
struct CSVError: Error, CustomStringConvertible {
    var line: Int
    var message: String
    var description: String { "line \(line): \(message)" }
}
