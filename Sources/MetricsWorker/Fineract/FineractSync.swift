import AnalyticsCore
import AnalyticsStore

/// The work of `metrics-worker sync-fineract` (docs/fineract.md): reads the tenant in one
/// read-only snapshot, maps it (``FineractMapping``) and sends it through the one ingest path
/// (`Ingestor.pipeline`: validation, `etl_rejects`, upserts, marks for the daemon). Officers first,
/// then customers, then loans whole in id order, `batchSize` loans per chunk; each chunk's own
/// transaction records how far the sync got, and the chunk holding the last loan stores the new
/// watermark, so a killed run loses nothing and a re-run resumes.
enum FineractSync {
    /// `etl_rejects.source` of the sync.
    static let source = "fineract"

    static func run(pool: PostgresPool, tenant: PostgresPool, options: FineractSyncOptions,
                    progress: Progress? = nil) async throws -> FineractSyncResult {
        let state = try await FineractSyncState.read(on: pool)
        let resuming = !options.dryRun && state.pendingWatermark != nil
        let full = options.full || state.watermark == nil || (resuming && state.pendingFull)
        var result = FineractSyncResult()
        result.mode = full ? "full" : "incremental"
        result.resumed = resuming
        return try await tenant.withConnection { connection in
            try await connection.withTransaction { tx in
                let reader = FineractTenantReader(connection: tx)
                let now = try await reader.begin()
                let finalWatermark = resuming ? (state.pendingWatermark ?? now) : now
                var since: String?
                if !full, let watermark = state.watermark {
                    since = try await tx.query("SELECT ($1::timestamptz - make_interval(secs => $2))::text AS since",
                                               [watermark, options.lookbackSeconds])[0].decode(String.self, "since")
                }
                let offices = try await reader.offices()
                // Stored for the consumer of Fineract's events, which places loans with them.
                if !options.dryRun { try await FineractStoredOffices.replace(offices, on: pool) }
                let mapping = FineractMapping(offices: FineractOffices(offices, regionLevel: options.regionLevel),
                                              channel: options.channel)
                let staff = try await reader.staff()
                var candidates = try await reader.candidateLoans(since: since, statuses: FineractLoanStatus.disbursed + FineractLoanStatus.undone)
                var missing: [Int64] = []
                if options.reconcile {
                    let extra = try await reconcileCandidates(pool: pool, reader: reader)
                    missing = extra.missing
                    result.missingInTenant = missing.count
                    candidates = Array(Set(candidates).union(extra.present)).sorted()
                }
                if resuming, let after = state.pendingAfterLoan { candidates = candidates.filter { $0 > after } }

                let marks = FineractProgressMarks()
                var phase = 0
                var clientsAfter: Int64 = 0
                var loanIndex = 0
                func nextChunk() async throws -> [IngestEntry]? {
                    if phase == 0 {
                        phase = 1
                        if !staff.isEmpty {
                            marks.push(.init(afterLoan: nil, isLast: false))
                            return staff.map(mapping.officer)
                        }
                    }
                    if phase == 1 {
                        let clients = try await reader.clients(after: clientsAfter, limit: max(options.batchSize, 1_000), since: since)
                        if let last = clients.last {
                            clientsAfter = last.id
                            marks.push(.init(afterLoan: nil, isLast: false))
                            return clients.map(mapping.customer)
                        }
                        phase = 2
                    }
                    if phase == 2 {
                        // --reconcile: loans from the tenant that it no longer has, as we hold them, Cancelled.
                        if !missing.isEmpty {
                            let ids = Array(missing.prefix(options.batchSize))
                            missing.removeFirst(ids.count)
                            marks.push(.init(afterLoan: nil, isLast: false))
                            return try await FineractHeldLoans.cancelled(ids, on: pool)
                        }
                        phase = 3
                    }
                    while loanIndex < candidates.count {
                        let ids = Array(candidates[loanIndex..<min(loanIndex + options.batchSize, candidates.count)])
                        loanIndex += ids.count
                        let bundles = try await reader.bundles(ids)
                        let held = try await heldLoans(bundles, pool: pool)
                        var entries: [IngestEntry] = []
                        var loaded: [String] = []
                        var supportingKeys = Set<String>()
                        for bundle in bundles {
                            result.loansRead += 1
                            guard let mapped = mapping.loan(bundle, held: held.contains(String(bundle.loan.id))) else {
                                result.loansSkipped += 1
                                continue
                            }
                            if mapped.isRejected { result.loansRejected += 1 } else { loaded.append(String(bundle.loan.id)) }
                            for (key, entry) in mapped.supporting where supportingKeys.insert(key).inserted { entries.append(entry) }
                            entries += mapped.entries
                        }
                        progress?.update(loanIndex, unit: "loans")
                        let isLast = loanIndex >= candidates.count
                        if entries.isEmpty && !isLast { continue }
                        marks.push(.init(afterLoan: ids.last, isLast: isLast, loans: loaded))
                        return entries
                    }
                    return nil
                }

                if options.dryRun {
                    while let entries = try await nextChunk() {
                        for entry in entries {
                            let kind = entry.kind?.batchKey ?? "records"
                            if case .failure = entry.value {
                                result.wouldSend["rejected \(kind)", default: 0] += 1
                            } else {
                                result.wouldSend[kind, default: 0] += 1
                            }
                        }
                    }
                    return result
                }
                var summary = Ingestor.Summary()
                try await Ingestor.pipeline(pool: pool, source: source, summary: &summary,
                                            inTransaction: { tx in
                                                guard let mark = marks.pop() else { return }
                                                try await FineractHeldLoans.record(mark.loans, on: tx)
                                                if mark.isLast {
                                                    try await FineractSyncState.complete(watermark: finalWatermark, on: tx)
                                                    marks.markCompleted()
                                                } else {
                                                    try await FineractSyncState.recordProgress(watermark: finalWatermark, afterLoan: mark.afterLoan,
                                                                                               full: full, on: tx)
                                                }
                                            },
                                            next: nextChunk)
                if !marks.completed {
                    // No loan to read: nothing else to cover.
                    try await pool.withTransaction { try await FineractSyncState.complete(watermark: finalWatermark, on: $0) }
                }
                result.summary = summary
                return result
            }
        }
    }

    /// The loans among `bundles` whose disbursal was undone that we hold (they become Cancelled).
    private static func heldLoans(_ bundles: [FineractLoanBundle], pool: PostgresPool) async throws -> Set<String> {
        let undone = bundles.filter { FineractLoanStatus.undone.contains($0.loan.loanStatusID) }.map { String($0.loan.id) }
        guard !undone.isEmpty else { return [] }
        return Set(try await pool.query("SELECT loan_id FROM loan_accounts WHERE loan_id = ANY($1)", [undone])
            .map { try $0.decode(String.self, "loan_id") })
    }

    /// `--reconcile`: the loans from this tenant we hold (not Cancelled) that Fineract does not
    /// show as disbursed; those it still has are read again (and map to Cancelled), those it no
    /// longer has at all are returned as `missing` (sent Cancelled as we hold them).
    private static func reconcileCandidates(pool: PostgresPool, reader: FineractTenantReader) async throws -> (present: [Int64], missing: [Int64]) {
        let ours = try await FineractHeldLoans.active(on: pool)
        let disbursed = Set(try await reader.candidateLoans(since: nil, statuses: FineractLoanStatus.disbursed))
        let gone = ours.filter { !disbursed.contains($0) }
        guard !gone.isEmpty else { return ([], []) }
        let present = try await reader.statuses(of: gone)
        return (present.keys.sorted(), gone.filter { present[$0] == nil })
    }
}
