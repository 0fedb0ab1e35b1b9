import AnalyticsCore

extension FineractEventContext {
    /// What this context holds that `earlier` did not, or holds differently: what the plans made
    /// over `earlier` add to the database once written (loans now held, snapshots and chains
    /// recorded). Plans only add: nothing held or recorded is ever taken away.
    public func changes(since earlier: FineractEventContext) -> FineractEventContext {
        var changes = FineractEventContext()
        changes.held = held.subtracting(earlier.held)
        changes.snapshots = snapshots.filter { earlier.snapshots[$0.key] != $0.value }
        changes.officerPhones = officerPhones.filter { earlier.officerPhones[$0.key] != $0.value }
        changes.customerPhones = customerPhones.filter { earlier.customerPhones[$0.key] != $0.value }
        changes.chains = chains.filter { earlier.chains[$0.key] != $0.value }
        return changes
    }

    /// This context with `changes` laid over it (theirs win): what the database holds once a batch
    /// still being written has committed, for planning the batch after it.
    public mutating func overlay(_ changes: FineractEventContext) {
        held.formUnion(changes.held)
        snapshots.merge(changes.snapshots) { _, theirs in theirs }
        officerPhones.merge(changes.officerPhones) { _, theirs in theirs }
        customerPhones.merge(changes.customerPhones) { _, theirs in theirs }
        chains.merge(changes.chains) { _, theirs in theirs }
    }
}
