import AnalyticsCore

/// Validates a chunk of entries with AnalyticsCore's decoders.
enum IngestChunkDecoder {
    /// The `loan_id`s that the chunk's repayments reference, to look up in the database first.
    static func referencedLoanIDs(_ entries: [IngestEntry]) -> Set<String> {
        var ids = Set<String>()
        for entry in entries {
            guard case .success(let value) = entry.value, let object = value.objectValue else { continue }
            let kind = entry.kind ?? RecordKind.infer(from: object)
            if kind == .repayment, let loanID = object["loan_id"]?.stringValue { ids.insert(loanID) }
        }
        return ids
    }

    /// Decodes every entry. A repayment's loan must be among `knownLoanIDs` (already in the
    /// database) or a valid loan of this chunk.
    static func decode(_ entries: [IngestEntry], knownLoanIDs: Set<String>) -> IngestChunk {
        var chunk = IngestChunk()
        var officers = Deduplicator<Officer>()
        var customers = Deduplicator<Customer>()
        var loans = Deduplicator<Loan>()
        var repayments = Deduplicator<Repayment>()
        var members = Deduplicator<TeamMember>()
        var pendingRepayments: [(IngestEntry, JSONObject)] = []

        func reject(_ entry: IngestEntry, _ problems: [ValidationProblem], kind: RecordKind?) {
            let payload: String
            if !entry.raw.isEmpty {
                payload = entry.raw
            } else if case .success(let value) = entry.value {
                payload = value.jsonText
            } else {
                payload = ""
            }
            var worded = problems
            if entry.isCSV, case .success(let value) = entry.value, let row = value.objectValue {
                worded = problems.map { CSVRecordMapper.explain($0, in: row) }
            }
            chunk.rejects.append(IngestReject(location: entry.location, kind: kind, recordId: entry.recordId,
                                              problems: worded, payload: payload))
        }

        for entry in entries {
            let object: JSONObject
            switch entry.value {
            case .failure(let error):
                reject(entry, [ValidationProblem(kind: entry.kind, recordId: nil, field: "", message: error.message)], kind: entry.kind)
                continue
            case .success(let value):
                guard let parsed = value.objectValue else {
                    reject(entry, [ValidationProblem(kind: entry.kind, recordId: nil, field: "",
                                                     message: "record must be a JSON object, not \(value.kindDescription)")], kind: entry.kind)
                    continue
                }
                object = parsed
            }
            guard let kind = entry.kind ?? RecordKind.infer(from: object) else {
                let decoded = RecordDecoder.decode(.object(object), loanExists: { _ in false })
                reject(entry, decoded.problems, kind: nil)
                continue
            }
            switch kind {
            case .officer: keep(RecordDecoder.decodeOfficer(object), entry, kind, into: &officers, id: \.officerId)
            case .customer: keep(RecordDecoder.decodeCustomer(object), entry, kind, into: &customers, id: \.customerId)
            case .teamMember: keep(RecordDecoder.decodeTeamMember(object), entry, kind, into: &members, id: \.memberId)
            case .loan: keep(RecordDecoder.decodeLoan(object), entry, kind, into: &loans, id: \.loanId)
            case .repayment: pendingRepayments.append((entry, object))
            }
        }
        // Repayments last: a loan of this chunk counts as existing.
        let chunkLoans = Set(loans.records.map(\.loanId))
        for (entry, object) in pendingRepayments {
            let decoded = RecordDecoder.decodeRepayment(object) { knownLoanIDs.contains($0) || chunkLoans.contains($0) }
            keep(decoded, entry, .repayment, into: &repayments, id: \.repaymentId)
        }

        func keep<R>(_ decoded: DecodedRecord<R>, _ entry: IngestEntry, _ kind: RecordKind,
                     into store: inout Deduplicator<R>, id: KeyPath<R, String>) {
            for field in decoded.unknownFields { chunk.unknownFieldCounts[field, default: 0] += 1 }
            if let record = decoded.record, decoded.problems.isEmpty {
                if store.insert(record, id: record[keyPath: id]) { chunk.duplicates += 1 }
            } else {
                reject(entry, decoded.problems, kind: kind)
            }
        }

        chunk.officers = officers.records
        chunk.customers = customers.records
        chunk.loans = loans.records
        chunk.repayments = repayments.records
        chunk.teamMembers = members.records
        return chunk
    }
}

/// Keeps the last record per id, in order of first appearance.
struct Deduplicator<R> {
    private(set) var records: [R] = []
    private var index: [String: Int] = [:]

    /// Adds a record; returns true when it replaced an earlier one with the same id.
    mutating func insert(_ record: R, id: String) -> Bool {
        if let existing = index[id] {
            records[existing] = record
            return true
        }
        index[id] = records.count
        records.append(record)
        return false
    }
}
