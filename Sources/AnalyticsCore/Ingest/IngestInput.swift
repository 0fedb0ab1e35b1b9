/// The JSON shapes of INGEST.md turned into entries, for every reader of them (files and standard
/// input in the worker, request bodies in the API): NDJSON lines, and whole documents (a single
/// record, a batch object, an array of records).
public enum IngestInput {
    /// True for a line of spaces, tabs and carriage returns only (NDJSON skips it).
    public static func isBlank(_ line: some Collection<UInt8>) -> Bool {
        line.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 }
    }

    /// The entry of NDJSON line `number` (a line that is not JSON is an entry that will be rejected).
    public static func lineEntry(_ line: ArraySlice<UInt8>, number: Int, reader: JSONReader = JSONReader()) -> IngestEntry {
        let raw = String(decoding: line, as: UTF8.self)
        do {
            return IngestEntry(location: "line \(number)", kind: nil, value: .success(try reader.parse(line)), raw: raw)
        } catch {
            return IngestEntry(location: "line \(number)", kind: nil, value: .failure(EntryParseError(message: "invalid JSON: \(error)")), raw: raw)
        }
    }

    /// True when a first line read as `entry` starts NDJSON: a JSON object that is not a batch
    /// object. (Otherwise a file is one JSON document.)
    public static func startsNDJSON(_ entry: IngestEntry) -> Bool {
        guard let object = entry.object else { return false }
        return !BatchDecoder.isBatch(object)
    }

    /// The entries of a whole JSON document, in the order they are loaded: the elements of an
    /// array; the lists of a batch object, master data first (officers, customers, team members,
    /// loans, repayments: loans find their officers and repayments their loans, whatever the
    /// order in the document); or the document itself as one record. Throws when it is not JSON.
    public static func documentEntries(_ bytes: [UInt8], reader: JSONReader = JSONReader()) throws(JSONError) -> [IngestEntry] {
        let value = try reader.parse(bytes)
        if let array = value.arrayValue {
            return array.enumerated().map { IngestEntry(location: "[\($0.offset)]", kind: nil, value: .success($0.element), raw: "") }
        }
        guard let object = value.objectValue, BatchDecoder.isBatch(object) else {
            return [IngestEntry(location: "document", kind: nil, value: .success(value), raw: "")]
        }
        var entries: [IngestEntry] = []
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

    /// The single entry of a document that is not JSON: rejected whole, its stored text cut at 1 MiB.
    public static func unreadableDocument(_ bytes: [UInt8], _ error: JSONError) -> IngestEntry {
        IngestEntry(location: "document", kind: nil, value: .failure(EntryParseError(message: "invalid JSON document: \(error)")),
                    raw: String(decoding: bytes.prefix(1 << 20), as: UTF8.self))
    }
}
