/// Validates a chunk of entries with the record decoders: the one validation path of every input
/// (files, standard input, `seed-demo`, `POST /api/v1/ingest`).
public enum IngestChunkDecoder {
    /// The ids the chunk names that must be looked up in the database first: always the loans its
    /// repayments reference; with a scope, also the rows it would overwrite and the officers its
    /// loans name.
    public static func references(_ entries: [IngestEntry], scoped: Bool) -> IngestReferences {
        var references = IngestReferences()
        /// An id that a stored row can have (the record is read before it is validated; an id that
        /// no column can hold, with a NUL or too long, names nothing and is not looked up).
        func id(_ object: JSONObject, _ field: String) -> String? {
            guard let text = object[field]?.stringValue, !text.utf8.contains(0) else { return nil }
            if let limit = TextLimits.maximum[field], text.utf8.count > limit, text.unicodeScalars.count > limit { return nil }
            return text
        }
        for entry in entries {
            if let validated = entry.validated {
                // Decoded already: its ids are storable (the decoder checked them).
                switch validated.record {
                case .repayment(let repayment):
                    references.repaymentLoanIDs.insert(repayment.loanId)
                    if scoped { references.repaymentIDs.insert(repayment.repaymentId) }
                case .loan(let loan) where scoped:
                    references.loanIDs.insert(loan.loanId)
                    references.officerIDs.insert(loan.officerId)
                case .officer(let officer) where scoped: references.officerIDs.insert(officer.officerId)
                case .customer(let customer) where scoped: references.customerIDs.insert(customer.customerId)
                default: break
                }
                continue
            }
            guard let object = entry.object, let kind = entry.kind ?? RecordKind.infer(from: object) else { continue }
            if kind == .repayment, let loanID = id(object, "loan_id") { references.repaymentLoanIDs.insert(loanID) }
            guard scoped, let recordID = id(object, kind.idField) else { continue }
            switch kind {
            case .officer: references.officerIDs.insert(recordID)
            case .customer: references.customerIDs.insert(recordID)
            case .repayment: references.repaymentIDs.insert(recordID)
            case .teamMember: break
            case .loan:
                references.loanIDs.insert(recordID)
                if let officerID = id(object, "officer_id") { references.officerIDs.insert(officerID) }
            }
        }
        return references
    }

    /// Decodes every entry. A repayment's loan must be among `known.loanIDs` (already in the
    /// database) or a valid loan of this chunk. With a `scope`, a valid record that writes outside
    /// it is rejected too (`IngestChunkDecoder+Scope`). `firstIndex` is the position of the first
    /// entry in its input (rejects carry their position).
    public static func decode(_ entries: [IngestEntry], known: IngestKnownRows, scope: IngestScope? = nil,
                              firstIndex: Int = 0) -> IngestChunk {
        var chunk = IngestChunk()
        var officers = Deduplicator<Officer>()
        var customers = Deduplicator<Customer>()
        var loans = Deduplicator<Loan>()
        var repayments = Deduplicator<Repayment>()
        var members = Deduplicator<TeamMember>()
        var pendingRepayments: [(Int, IngestEntry, JSONObject?)] = []
        let check = scope.map { ScopeCheck(scope: $0, known: known) }

        func reject(_ entry: IngestEntry, at index: Int, _ problems: [ValidationProblem], kind: RecordKind?) {
            let payload: String
            if !entry.raw.isEmpty {
                payload = entry.raw
            } else if case .success(let value) = entry.value {
                payload = value.jsonText
            } else {
                payload = ""
            }
            var worded = problems
            if entry.isCSV, let row = entry.object {
                worded = problems.map { CSVRecordMapper.explain($0, in: row) }
            }
            chunk.rejects.append(IngestReject(location: entry.location, index: firstIndex + index, kind: kind,
                                              recordId: entry.recordId, problems: worded, payload: payload))
        }

        func keep<R>(_ decoded: DecodedRecord<R>, _ entry: IngestEntry, at index: Int, _ kind: RecordKind,
                     into store: inout Deduplicator<R>, id: KeyPath<R, String>, outside: (R) -> [ValidationProblem]) {
            for field in decoded.unknownFields { chunk.unknownFieldCounts[field, default: 0] += 1 }
            var problems = decoded.problems
            if let record = decoded.record { problems += outside(record) }
            if let record = decoded.record, problems.isEmpty {
                if store.insert(record, id: record[keyPath: id]) { chunk.duplicates += 1 }
            } else {
                reject(entry, at: index, problems, kind: kind)
            }
        }

        for (index, entry) in entries.enumerated() {
            if let validated = entry.validated {
                // Decoded and found valid by the same decoders (ValidatedRecord): what depends on
                // the chunk still applies.
                func outcome<R>(_ record: R, _ id: String) -> DecodedRecord<R> {
                    DecodedRecord(record: record, problems: [], unknownFields: validated.unknownFields, recordId: id)
                }
                switch validated.record {
                case .officer(let officer):
                    keep(outcome(officer, officer.officerId), entry, at: index, .officer, into: &officers, id: \.officerId) {
                        check?.officer($0) ?? []
                    }
                case .customer(let customer):
                    keep(outcome(customer, customer.customerId), entry, at: index, .customer, into: &customers, id: \.customerId) {
                        check?.customer($0) ?? []
                    }
                case .teamMember(let member):
                    keep(outcome(member, member.memberId), entry, at: index, .teamMember, into: &members, id: \.memberId) {
                        check?.teamMember($0) ?? []
                    }
                case .loan(let loan):
                    keep(outcome(loan, loan.loanId), entry, at: index, .loan, into: &loans, id: \.loanId) {
                        check?.loan($0) ?? []
                    }
                case .repayment:
                    pendingRepayments.append((index, entry, nil))
                }
                continue
            }
            let object: JSONObject
            switch entry.value {
            case .failure(let error):
                reject(entry, at: index, [ValidationProblem(kind: entry.kind, recordId: nil, field: "", message: error.message)], kind: entry.kind)
                continue
            case .success(let value):
                guard let parsed = value.objectValue else {
                    reject(entry, at: index, [ValidationProblem(kind: entry.kind, recordId: nil, field: "",
                                                                message: "record must be a JSON object, not \(value.kindDescription)")],
                           kind: entry.kind)
                    continue
                }
                object = parsed
            }
            guard let kind = entry.kind ?? RecordKind.infer(from: object) else {
                let decoded = RecordDecoder.decode(.object(object), loanExists: { _ in false })
                reject(entry, at: index, decoded.problems, kind: nil)
                continue
            }
            switch kind {
            case .officer:
                keep(RecordDecoder.decodeOfficer(object), entry, at: index, kind, into: &officers, id: \.officerId) {
                    check?.officer($0) ?? []
                }
            case .customer:
                keep(RecordDecoder.decodeCustomer(object), entry, at: index, kind, into: &customers, id: \.customerId) {
                    check?.customer($0) ?? []
                }
            case .teamMember:
                keep(RecordDecoder.decodeTeamMember(object), entry, at: index, kind, into: &members, id: \.memberId) {
                    check?.teamMember($0) ?? []
                }
            case .loan:
                keep(RecordDecoder.decodeLoan(object), entry, at: index, kind, into: &loans, id: \.loanId) {
                    check?.loan($0) ?? []
                }
            case .repayment:
                pendingRepayments.append((index, entry, object))
            }
        }
        // Repayments last: a loan of this chunk counts as existing.
        var chunkLoans: [String: IngestPlacement] = [:]
        for loan in loans.records { chunkLoans[loan.loanId] = IngestPlacement(region: loan.region, branch: loan.branch) }
        func loanExists(_ loanID: String) -> Bool { known.loanIDs.contains(loanID) || chunkLoans[loanID] != nil }
        for (index, entry, object) in pendingRepayments {
            let decoded: DecodedRecord<Repayment>
            if let object {
                decoded = RecordDecoder.decodeRepayment(object, loanExists: loanExists)
            } else if let validated = entry.validated, case .repayment(let repayment) = validated.record {
                decoded = DecodedRecord(record: loanExists(repayment.loanId) ? repayment : nil,
                                        problems: loanExists(repayment.loanId) ? [] : [RecordDecoder.unknownLoanProblem(repayment)],
                                        unknownFields: validated.unknownFields, recordId: repayment.repaymentId)
            } else {
                continue
            }
            keep(decoded, entry, at: index, .repayment, into: &repayments, id: \.repaymentId) {
                check?.repayment($0, chunkLoans: chunkLoans) ?? []
            }
        }

        // Repayments were checked last; the rejects keep input order.
        chunk.rejects.sort { $0.index < $1.index }
        chunk.officers = officers.records
        chunk.customers = customers.records
        chunk.loans = loans.records
        chunk.repayments = repayments.records
        chunk.teamMembers = members.records
        return chunk
    }
}
