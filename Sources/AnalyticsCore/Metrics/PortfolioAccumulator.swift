/// Officer accumulators for a whole book (or one chunk of it), keyed by `officer_id`.
///
/// Split the loans of D across threads or processes any way you like, fill one accumulator per
/// chunk, ``merge(_:)`` them in any order, then ``finalise(officers:window:par15Overrides:options:)``
/// once. The result is identical for every split.
public struct PortfolioAccumulator: Hashable, Sendable {
    /// The sums per officer id.
    public private(set) var byOfficer: [String: OfficerAccumulator] = [:]

    /// An empty accumulator.
    public init() {}

    /// Adds one loan to its officer's sums (see ``OfficerAccumulator/add(_:window:primaryChannel:)``).
    public mutating func add(_ ledger: LoanLedger, window: MetricsWindow, primaryChannel: String) {
        byOfficer[ledger.officerId, default: OfficerAccumulator()].add(ledger, window: window, primaryChannel: primaryChannel)
    }

    /// Adds an officer's sums.
    public mutating func add(_ sums: OfficerAccumulator, forOfficer officerId: String) {
        byOfficer[officerId, default: OfficerAccumulator()].merge(sums)
    }

    /// Merges another chunk's sums.
    public mutating func merge(_ other: PortfolioAccumulator) {
        for (id, sums) in other.byOfficer { add(sums, forOfficer: id) }
    }

    /// The officer rows of D, sorted by `officer_id` (bytes) and ranked.
    ///
    /// - Parameters:
    ///   - officers: current officer records. Officers with an accumulator but no record get a
    ///     minimal one (name = id, empty region and branch); ingestion normally prevents that.
    ///   - window: the dates of D.
    ///   - par15Overrides: `par15_snapshots` values by officer id for S.
    ///   - options: score settings.
    public func finalise(
        officers: [Officer], window: MetricsWindow, par15Overrides: [String: Money] = [:],
        options: MetricsOptions = MetricsOptions()
    ) -> [OfficerMetricsRow] {
        var records: [String: Officer] = [:]
        for officer in officers { records[officer.officerId] = officer }
        for id in byOfficer.keys where records[id] == nil {
            records[id] = Officer(officerId: id, officerName: id, region: "", branch: "")
        }
        var rows: [OfficerMetricsRow] = []
        for id in ByteOrder.sorted(records.keys) {
            guard let officer = records[id] else { continue }
            let sums = byOfficer[id] ?? OfficerAccumulator()
            guard sums.hasRow(for: officer) else { continue }
            rows.append(sums.finalise(officer: officer, window: window, par15Override: par15Overrides[id], options: options))
        }
        OfficerRanking.assignRanks(&rows)
        return rows
    }
}
